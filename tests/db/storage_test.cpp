// Studies, adding and querying trials, and reading results back (the parts of
// the storage contract that are not the claim protocol, see leases_test.cpp),
// on both backends (storage_backends.h).
#include "db/storage.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "base/errors.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;

TEMPLATE_TEST_CASE("create_or_get_study creates once and then returns the stored study", "[db][storage]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  f.clock.advance(10);
  const StudyRecord again = f.storage->create_or_get_study({"sweep", "elsewhere.toml", "changed"});
  CHECK(again.id == f.study);
  CHECK(again.recipe_path == "recipes/sweep.toml");
  CHECK(again.recipe_text == "name = 'sweep'");
  CHECK(again.created == f.clock.now() - 10);
  const StudyRecord other = f.storage->create_or_get_study({"other", "", ""});
  CHECK(other.id != f.study);
  CHECK(f.storage->find_study("other")->id == other.id);
  CHECK_FALSE(f.storage->find_study("missing"));
  CHECK(f.storage->list_studies().size() == 2);
  CHECK(f.storage->describe() == f.backend.describe("study"));
  CHECK_THROWS_AS(f.storage->create_or_get_study({"", "", ""}), mose::DbError);
}

TEMPLATE_TEST_CASE("adding a trial whose config hash the study holds returns the existing id", "[db][storage]",
                   SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const AddedTrial first = f.storage->add_trial(f.study, train_trial(1, 42));
  CHECK(first.inserted);
  f.clock.advance(5);
  const std::vector<AddedTrial> again =
      f.storage->add_trials(f.study, {train_trial(2), train_trial(1, 42), train_trial(2)});
  REQUIRE(again.size() == 3);
  CHECK(again[0].inserted);
  CHECK_FALSE(again[1].inserted);
  CHECK(again[1].id == first.id);
  CHECK_FALSE(again[2].inserted);  // a duplicate inside one batch too
  CHECK(again[2].id == again[0].id);

  const std::vector<TrialRecord> trials = f.storage->list_trials({});
  REQUIRE(trials.size() == 2);
  CHECK(trials[0].id == first.id);
  CHECK(trials[0].created == f.clock.now() - 5);  // the re-add changed nothing
  CHECK(trials[0].seed == 42);
  CHECK(trials[0].status == TrialStatus::kPending);
  CHECK(trials[0].attempts == 0);
  CHECK(trials[0].worker.empty());

  // The same config in another study is a different trial.
  const std::int64_t other = f.storage->create_or_get_study({"other", "", ""}).id;
  CHECK(f.storage->add_trial(other, train_trial(1, 42)).inserted);
}

TEMPLATE_TEST_CASE("a config hash that stands for another config, or a missing parent or study, is a DbError",
                   "[db][storage]", SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  f.storage->add_trial(f.study, train_trial(1));
  NewTrial clash = train_trial(2);
  clash.config_hash = train_trial(1).config_hash;
  CHECK_THROWS_MATCHES(f.storage->add_trial(f.study, clash), mose::DbError,
                       MessageContains({"config hash 'train-1'", "different config"}));
  CHECK_THROWS_MATCHES(f.storage->add_trial(f.study, eval_trial(1, 999)), mose::DbError,
                       MessageContains({"parent trial 999"}));
  CHECK_THROWS_MATCHES(f.storage->add_trial(12345, train_trial(3)), mose::DbError, MessageContains({"study 12345"}));
  // A batch that fails half-way adds nothing.
  CHECK_THROWS_AS(f.storage->add_trials(f.study, {train_trial(4), eval_trial(1, 999)}), mose::DbError);
  CHECK(f.storage->list_trials({}).size() == 1);
}

TEMPLATE_TEST_CASE("trials are listed by filter and counted by status", "[db][storage]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t a = f.storage->add_trial(f.study, train_trial(1)).id;
  const std::int64_t b = f.storage->add_trial(f.study, train_trial(2)).id;
  const std::int64_t e = f.storage->add_trial(f.study, eval_trial(1, a)).id;
  const std::int64_t other = f.storage->create_or_get_study({"other", "", ""}).id;
  f.storage->add_trial(other, train_trial(9));

  Lease lease = f.claim("w");
  REQUIRE(lease.trial_id == a);
  REQUIRE(f.storage->finish(lease, {}) == LeaseState::kHeld);

  auto ids = [](const std::vector<TrialRecord>& trials) {
    std::vector<std::int64_t> out;
    for (const auto& t : trials) out.push_back(t.id);
    return out;
  };
  CHECK(ids(f.storage->list_trials({.study_id = f.study})) == std::vector<std::int64_t>{a, b, e});
  CHECK(ids(f.storage->list_trials({.study_id = f.study, .status = TrialStatus::kPending})) ==
        std::vector<std::int64_t>{b, e});
  CHECK(ids(f.storage->list_trials({.kind = TrialKind::kEval})) == std::vector<std::int64_t>{e});
  CHECK(ids(f.storage->list_trials({.parent_id = a})) == std::vector<std::int64_t>{e});

  const StatusCounts counts = f.storage->count_trials(f.study);
  CHECK(counts.done == 1);
  CHECK(counts.pending == 2);
  CHECK(counts.running == 0);
  CHECK(f.storage->count_trials(std::nullopt).total() == 4);
  CHECK_FALSE(f.storage->get_trial(424242));
}

TEMPLATE_TEST_CASE("a done trial is found by config hash from any study", "[db][storage]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t trained = f.storage->add_trial(f.study, train_trial(1)).id;
  CHECK_FALSE(f.storage->find_done_trial(train_trial(1).config_hash));  // pending is not reusable
  Lease lease = f.claim("w");
  REQUIRE(f.storage->finish(lease, {{"val_loss", 2.5}}) == LeaseState::kHeld);

  const std::int64_t other = f.storage->create_or_get_study({"other", "", ""}).id;
  f.storage->add_trial(other, train_trial(1));
  const auto found = f.storage->find_done_trial(train_trial(1).config_hash);
  REQUIRE(found);
  CHECK(found->id == trained);
  CHECK(found->study_id == f.study);
  CHECK_FALSE(f.storage->find_done_trial("no-such-hash"));
}

TEMPLATE_TEST_CASE("metrics of many trials come back in one call, NaN included", "[db][storage]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  std::vector<std::int64_t> done;
  for (int i = 0; i < 3; ++i) {
    done.push_back(f.storage->add_trial(f.study, train_trial(i)).id);
    Lease lease = f.claim("w");
    REQUIRE(f.storage->record_metrics(lease, {{"params", 1e6 * (i + 1)}}) == LeaseState::kHeld);
    const double loss = i == 1 ? std::numeric_limits<double>::quiet_NaN() : 3.0 - i;
    REQUIRE(f.storage->finish(lease, {{"val_loss", loss}, {"params", 2e6 * (i + 1)}}) == LeaseState::kHeld);
  }
  // More ids than SQLite allows parameters in older builds (999), most unknown.
  std::vector<std::int64_t> asked(1500);
  std::iota(asked.begin(), asked.end(), 1);
  const std::vector<MetricRecord> metrics = f.storage->get_metrics(asked);
  REQUIRE(metrics.size() == 6);  // one row per name per trial: finish replaced "params"
  for (int i = 0; i < 3; ++i) {
    const MetricRecord& params = metrics[2 * i];
    const MetricRecord& loss = metrics[2 * i + 1];
    CHECK(params.trial_id == done[i]);
    CHECK(params.name == "params");
    CHECK(params.value == 2e6 * (i + 1));
    CHECK(loss.name == "val_loss");
    if (i == 1) {
      CHECK(std::isnan(loss.value));
    } else {
      CHECK(loss.value == 3.0 - i);
    }
  }
  CHECK(f.storage->get_metrics({}).empty());
  CHECK(f.storage->get_metrics({done[2]}).size() == 2);
}

TEMPLATE_TEST_CASE("curves, artifacts and environment are stored per trial", "[db][storage]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  f.storage->add_trial(f.study, train_trial(1));
  Lease lease = f.claim("w");
  REQUIRE(f.storage->append_curve(lease, {{"train_loss", 0, 5.0}, {"train_loss", 100, 4.0}, {"lr", 0, 1e-3}}) ==
          LeaseState::kHeld);
  // A resumed attempt writes step 100 again: the newer value wins.
  REQUIRE(f.storage->append_curve(lease, {{"train_loss", 100, 3.9}, {"train_loss", 200, 3.5}}) == LeaseState::kHeld);
  const std::vector<CurvePoint> curves = f.storage->get_curves(lease.trial_id);
  REQUIRE(curves.size() == 4);
  CHECK((curves[0].name == "lr" && curves[0].step == 0 && curves[0].value == 1e-3));
  CHECK((curves[2].name == "train_loss" && curves[2].step == 100 && curves[2].value == 3.9));
  CHECK(curves[3].step == 200);
  // An attempt resuming from a checkpoint at step 100 drops what was logged after it.
  REQUIRE(f.storage->drop_curves_after(lease, 100) == LeaseState::kHeld);
  const std::vector<CurvePoint> kept = f.storage->get_curves(lease.trial_id);
  REQUIRE(kept.size() == 3);
  CHECK(kept.back().step == 100);

  f.clock.advance(3);
  REQUIRE(f.storage->add_artifact(lease, {"checkpoint", "ckpt/1.pt", "sha256:aa", 1024}) == LeaseState::kHeld);
  REQUIRE(f.storage->add_artifact(lease, {"checkpoint", "ckpt/1.pt", "sha256:bb", 2048}) == LeaseState::kHeld);
  REQUIRE(f.storage->add_artifact(lease, {"log", "logs/1.txt", "sha256:cc", 10}) == LeaseState::kHeld);
  const std::vector<ArtifactRecord> artifacts = f.storage->get_artifacts(lease.trial_id);
  REQUIRE(artifacts.size() == 2);
  CHECK(artifacts[0].checksum == "sha256:bb");
  CHECK(artifacts[0].bytes == 2048);
  CHECK(artifacts[0].created == f.clock.now());
  CHECK(artifacts[1].kind == "log");
  CHECK_THROWS_MATCHES(f.storage->add_artifact(lease, {"log", "", "", 1}), mose::DbError, MessageContains({"path ''"}));

  REQUIRE(f.storage->set_environment(lease, {{"torch", "2.5.1"}, {"gpu", "H100"}}) == LeaseState::kHeld);
  REQUIRE(f.storage->set_environment(lease, {{"gpu", "H200"}}) == LeaseState::kHeld);
  const std::vector<EnvironmentEntry> environment = f.storage->get_environment(lease.trial_id);
  REQUIRE(environment.size() == 2);
  CHECK((environment[0].key == "gpu" && environment[0].value == "H200"));
  CHECK((environment[1].key == "torch" && environment[1].value == "2.5.1"));
}

TEMPLATE_TEST_CASE("resetting a failed trial sends it back to pending without its old metrics", "[db][storage]",
                   SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t id = f.storage->add_trial(f.study, train_trial(1)).id;
  Lease lease = f.claim("w1");
  REQUIRE(f.storage->append_curve(lease, {{"train_loss", 0, 5.0}}) == LeaseState::kHeld);
  REQUIRE(f.storage->record_metrics(lease, {{"tokens", 10}}) == LeaseState::kHeld);
  REQUIRE(f.storage->fail(lease, "CUDA out of memory") == LeaseState::kHeld);
  CHECK(f.storage->get_trial(id)->error == "CUDA out of memory");

  REQUIRE(f.storage->reset_trial(id));
  const TrialRecord reset = *f.storage->get_trial(id);
  CHECK(reset.status == TrialStatus::kPending);
  CHECK(reset.error.empty());
  CHECK_FALSE(reset.finished);
  CHECK(f.storage->get_curves(id).size() == 1);  // the history of the checkpoint the re-run resumes from
  CHECK(f.storage->get_metrics({id}).empty());
  CHECK_FALSE(f.storage->reset_trial(9999));

  Lease again = f.claim("w2");
  CHECK(again.trial_id == id);
  CHECK(again.attempt == 2);  // attempts only grow, so the old lease can never match again
  CHECK(f.storage->finish(lease, {}) == LeaseState::kLost);
}

TEMPLATE_TEST_CASE("rekey_trials gives trials new identities once and leaves taken or unknown hashes alone",
                   "[db][storage]", SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t trained = f.storage->add_trial(f.study, train_trial(1)).id;
  const std::int64_t evaluated = f.storage->add_trial(f.study, eval_trial(1, trained)).id;
  f.storage->add_trial(f.study, train_trial(2));
  const std::optional<ClaimedTrial> claim = f.storage->claim_next({.worker = "w", .study_id = f.study});
  REQUIRE(claim);
  REQUIRE(claim->trial.id == trained);
  REQUIRE(f.storage->add_artifact(claim->lease, {"checkpoint", "checkpoints/train-1.pt", "crc32:aa", 8}) ==
          LeaseState::kHeld);

  const std::vector<TrialRekey> rekeys{{"train-1", "new-1", R"({"new":1})"},
                                       {"eval-1-of-" + std::to_string(trained), "new-eval", R"({"new":"eval"})"},
                                       {"train-2", "new-1", R"({"new":2})"},  // new hash taken by the first: left alone
                                       {"missing", "new-3", R"({"new":3})"}};  // no such trial: nothing
  CHECK(f.storage->rekey_trials(f.study, rekeys) == std::vector<std::int64_t>{trained, evaluated});
  const TrialRecord moved = *f.storage->get_trial(trained);
  CHECK(moved.config_hash == "new-1");
  CHECK(moved.config == R"({"new":1})");
  CHECK(moved.status == TrialStatus::kRunning);  // nothing else about it changes
  CHECK(f.storage->get_artifacts(trained).at(0).path == "checkpoints/new-1.pt");
  CHECK(f.storage->get_trial(evaluated)->config_hash == "new-eval");
  CHECK(f.storage->get_trial(evaluated)->parent_id == trained);
  CHECK(f.storage->list_trials({.study_id = f.study}).at(2).config_hash == "train-2");
  // Again (a retry after a lost reply): every old hash is gone, nothing changes.
  CHECK(f.storage->rekey_trials(f.study, rekeys).empty());
  // The new identity is the one a re-registration finds.
  NewTrial again = train_trial(1);
  again.config_hash = "new-1";
  again.config = R"({"new":1})";
  CHECK(f.storage->add_trial(f.study, again).id == trained);
  CHECK_THROWS_AS(f.storage->rekey_trials(f.study, {{"train-2", "", "{}"}}), mose::DbError);
}

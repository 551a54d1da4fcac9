// Copying a study between stores (db/study_copy.h), as `mose-study migrate`
// does: SQLite -> PostgreSQL -> SQLite and the reverse give back exactly the
// study they started from (every field of every trial and result, ids
// included), and a target that already uses the ids gets new ones in the same
// order with parents remapped.
#include "db/study_copy.h"

#include <catch2/catch.hpp>
#include <limits>

#include "base/errors.h"
#include "db/storage.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;

namespace {

// A study with a trial in every state the protocol can leave one in: done with
// results (NaN and extreme values included), failed with an error, running
// (heartbeating, attempt 2 after a reclaim), released back to pending, never
// claimed, and an eval child of the done trial.
void fill_study(Storage& storage, ManualClock& clock) {
  const std::int64_t study =
      storage.create_or_get_study({"copied", "/recipes/copied.toml", "name = 'copied'\n# caf\xc3\xa9 \"quoted\"\n"}).id;
  const auto added = storage.add_trials(study, {train_trial(1, 7), train_trial(2, -3), train_trial(3), train_trial(4),
                                                train_trial(5, std::numeric_limits<std::int64_t>::max())});
  storage.add_trial(study, eval_trial(1, added[0].id));
  clock.advance(0.123456789);

  const Lease done = storage.claim_next(claim_as("host-a:11:w0", 5.0))->lease;
  REQUIRE(storage.append_curve(done, {{"train_loss", 0, 5.5}, {"train_loss", 10, 1e-300}, {"lr", 0, 3e-4}}) ==
          LeaseState::kHeld);
  REQUIRE(storage.add_artifact(done, {"checkpoint", "ckpt/a b.pt", "sha256:00ff", 123456789012}) == LeaseState::kHeld);
  REQUIRE(storage.set_environment(done, {{"host", "host-a"}, {"slurm_job", "4242_3"}}) == LeaseState::kHeld);
  clock.advance(1.5);
  REQUIRE(storage.finish(done, {{"val_loss", std::numeric_limits<double>::quiet_NaN()},
                                {"params", 1.0 / 3.0},
                                {"tokens", 1e15}}) == LeaseState::kHeld);

  const Lease failed = storage.claim_next(claim_as("host-b:12:w1", 5.0))->lease;
  REQUIRE(storage.fail(failed, "CUDA out of memory: 'tried' to allocate\nmore") == LeaseState::kHeld);

  storage.claim_next(claim_as("host-c:13:w0", 5.0));  // dies: no heartbeat
  clock.advance(10);
  const Lease reclaimed = storage.claim_next(claim_as("host-d:14:w0", 5.0))->lease;
  REQUIRE(reclaimed.attempt == 2);
  REQUIRE(storage.record_metrics(reclaimed, {{"partial", -0.0}}) == LeaseState::kHeld);

  const Lease released = storage.claim_next(claim_as("host-e:15:w0", 5.0))->lease;
  REQUIRE(storage.append_curve(released, {{"train_loss", 5, 2.25}}) == LeaseState::kHeld);
  REQUIRE(storage.release(released) == LeaseState::kHeld);
}

template <typename From, typename To>
void check_round_trip() {
  From from_backend;
  To to_backend;
  ManualClock clock;
  auto original = open_storage(from_backend.url("original"), manual_options(clock));
  fill_study(*original, clock);
  const StudySnapshot before = read_study_snapshot(*original, "copied");
  REQUIRE(before.trials.size() == 6);

  auto there = open_storage(to_backend.url("there"));
  const CopyReport out = copy_study(*original, *there, "copied");
  CHECK(out.imported.ids_kept);
  CHECK(out.trials == 6);
  CHECK(out.metrics == 4);
  CHECK(out.curve_points == 4);
  CHECK(out.artifacts == 1);
  CHECK(out.environment_entries == 2);
  CHECK(snapshot_difference(before, read_study_snapshot(*there, "copied"), true) == std::nullopt);

  auto back = open_storage(from_backend.url("back"));
  CHECK(copy_study(*there, *back, "copied").imported.ids_kept);
  CHECK(snapshot_difference(before, read_study_snapshot(*back, "copied"), true) == std::nullopt);

  // The copy is a working store: its sequences continue after the copied ids,
  // and its pending trial (the released one) is claimed next.
  const std::int64_t study = there->find_study("copied")->id;
  const AddedTrial more = there->add_trial(study, train_trial(99));
  CHECK(more.inserted);
  CHECK(more.id > before.trials.back().trial.id);
  CHECK(there->create_or_get_study({"next", "", ""}).id > study);
  const auto next = there->claim_next(claim_as("after", 1e9));
  REQUIRE(next);
  CHECK(next->trial.id == before.trials[3].trial.id);  // the released one
  CHECK(next->lease.attempt == 2);
}

}  // namespace

TEST_CASE("a study copied SQLite to PostgreSQL and back is unchanged", "[db][copy][postgres]") {
  check_round_trip<SqliteBackend, PostgresBackend>();
}

TEST_CASE("a study copied PostgreSQL to SQLite and back is unchanged", "[db][copy][postgres]") {
  check_round_trip<PostgresBackend, SqliteBackend>();
}

TEMPLATE_TEST_CASE("a copy into a store whose ids are taken renumbers in order and keeps parents", "[db][copy]",
                   SqliteBackend, PostgresBackend) {
  SqliteBackend source_backend;
  TestType target_backend;
  ManualClock clock;
  auto source = open_storage(source_backend.url("source"), manual_options(clock));
  fill_study(*source, clock);
  auto target = open_storage(target_backend.url("target"));
  const std::int64_t other = target->create_or_get_study({"other", "", ""}).id;
  target->add_trials(other, {train_trial(10), train_trial(11)});

  const CopyReport report = copy_study(*source, *target, "copied");
  CHECK_FALSE(report.imported.ids_kept);
  const StudySnapshot original = read_study_snapshot(*source, "copied");
  const StudySnapshot copy = read_study_snapshot(*target, "copied");
  CHECK(snapshot_difference(original, copy, false) == std::nullopt);
  CHECK(snapshot_difference(original, copy, true).has_value());  // the numbers did change
  CHECK(copy.trials.back().trial.parent_id == copy.trials.front().trial.id);

  CHECK_THROWS_MATCHES(copy_study(*source, *target, "copied"), mose::DbError,
                       MessageContains({"study 'copied' exists already"}));
  CHECK_THROWS_MATCHES(copy_study(*source, *target, "missing"), mose::DbError,
                       MessageContains({"no study named 'missing'"}));
  CHECK(target->list_studies().size() == 2);
}

TEST_CASE("snapshot_difference names the first field that differs", "[db][copy]") {
  SqliteBackend backend;
  ManualClock clock;
  auto storage = open_storage(backend.url("s"), manual_options(clock));
  fill_study(*storage, clock);
  const StudySnapshot original = read_study_snapshot(*storage, "copied");
  StudySnapshot changed = original;
  changed.trials[1].trial.error = "other";
  CHECK_THAT(snapshot_difference(original, changed, true).value_or(""),
             Catch::Matchers::Contains("error 'CUDA out of memory"));
  changed = original;
  REQUIRE(original.trials[0].metrics[2].name == "val_loss");
  changed.trials[0].metrics[2].value = 1.0;  // was NaN
  CHECK_THAT(snapshot_difference(original, changed, true).value_or(""), Catch::Matchers::Contains("metric val_loss"));
  changed = original;
  changed.trials[0].curves.pop_back();
  CHECK(snapshot_difference(original, changed, true).has_value());
}

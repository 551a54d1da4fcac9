// A store that outlives its connection (db/reconnecting_storage.h): on a PostgreSQL
// server of the test's own, restarted under a worker's lease, every call of the worker
// protocol goes on and no trial runs twice; a server that stays away is given up on
// after the timeout, or at once when cancelled. Calls cut off after their transaction
// committed are injected over SQLite: the retry adopts the committed claim and reports
// a committed finish as held.
#include "db/reconnecting_storage.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "base/errors.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;

namespace {

// Passes every call to `inner`; a call named in `cut_off` is made, then reported as a
// lost connection (its transaction committed, its reply never came), once.
class CutOffStorage final : public Storage {
 public:
  CutOffStorage(Storage& inner, std::set<std::string>& cut_off) : inner_(inner), cut_off_(cut_off) {}

  std::string describe() const override { return inner_.describe(); }
  StudyRecord create_or_get_study(const NewStudy& s) override { return inner_.create_or_get_study(s); }
  std::optional<StudyRecord> find_study(std::string_view n) override { return inner_.find_study(n); }
  std::vector<StudyRecord> list_studies() override { return inner_.list_studies(); }
  std::vector<AddedTrial> add_trials(std::int64_t id, const std::vector<NewTrial>& t) override {
    return inner_.add_trials(id, t);
  }
  std::vector<std::int64_t> rekey_trials(std::int64_t id, const std::vector<TrialRekey>& r) override {
    return inner_.rekey_trials(id, r);
  }
  std::optional<TrialRecord> get_trial(std::int64_t id) override { return inner_.get_trial(id); }
  std::vector<TrialRecord> list_trials(const TrialFilter& f) override { return inner_.list_trials(f); }
  std::optional<TrialRecord> find_done_trial(std::string_view h) override { return inner_.find_done_trial(h); }
  StatusCounts count_trials(std::optional<std::int64_t> id) override {
    return cut("count_trials", inner_.count_trials(id));
  }
  bool reset_trial(std::int64_t id) override { return inner_.reset_trial(id); }
  std::optional<ClaimedTrial> claim_next(const ClaimRequest& r) override {
    return cut("claim_next", inner_.claim_next(r));
  }
  LeaseState heartbeat(const Lease& l) override { return inner_.heartbeat(l); }
  LeaseState record_metrics(const Lease& l, const std::vector<Metric>& m) override {
    return inner_.record_metrics(l, m);
  }
  LeaseState append_curve(const Lease& l, const std::vector<CurvePoint>& p) override {
    return inner_.append_curve(l, p);
  }
  LeaseState drop_curves_after(const Lease& l, std::int64_t step) override { return inner_.drop_curves_after(l, step); }
  LeaseState add_artifact(const Lease& l, const Artifact& a) override { return inner_.add_artifact(l, a); }
  LeaseState set_environment(const Lease& l, const std::vector<EnvironmentEntry>& e) override {
    return inner_.set_environment(l, e);
  }
  LeaseState finish(const Lease& l, const std::vector<Metric>& m) override {
    return cut("finish", inner_.finish(l, m));
  }
  LeaseState fail(const Lease& l, std::string_view e) override { return cut("fail", inner_.fail(l, e)); }
  LeaseState release(const Lease& l) override { return cut("release", inner_.release(l)); }
  std::vector<MetricRecord> get_metrics(const std::vector<std::int64_t>& ids) override {
    return inner_.get_metrics(ids);
  }
  std::vector<CurvePoint> get_curves(std::int64_t id) override { return inner_.get_curves(id); }
  std::vector<ArtifactRecord> get_artifacts(std::int64_t id) override { return inner_.get_artifacts(id); }
  std::vector<EnvironmentEntry> get_environment(std::int64_t id) override { return inner_.get_environment(id); }
  ImportedStudy import_study(const StudySnapshot& s) override { return inner_.import_study(s); }

 private:
  template <typename T>
  T cut(const std::string& call, T result) {
    if (cut_off_.erase(call) > 0) throw ConnectionLost("test: the reply to " + call + " was lost");
    return result;
  }

  Storage& inner_;
  std::set<std::string>& cut_off_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a call cut off after it committed is not repeated: the claim is adopted, the finish held",
          "[db][reconnect]") {
  StoreFixture<SqliteBackend> f;
  f.storage->add_trials(f.study, {train_trial(1), train_trial(2)});
  std::set<std::string> cut_off{"claim_next", "finish"};
  LogCapture log;
  ReconnectingStorage store([&] { return std::make_unique<CutOffStorage>(*f.storage, cut_off); }, 5.0);

  const std::optional<ClaimedTrial> claimed = store.claim_next(claim_as("w1", 60));
  REQUIRE(claimed);
  CHECK(claimed->trial.id == 1);       // the trial the cut-off claim took, not a second one
  CHECK(claimed->lease.attempt == 1);  // claimed once
  CHECK(f.storage->count_trials(f.study).running == 1);
  CHECK(store.finish(claimed->lease, {{"loss", 1.5}}) == LeaseState::kHeld);
  CHECK(f.storage->get_trial(1)->status == TrialStatus::kDone);
  CHECK(cut_off.empty());
  // A finish that did not commit, repeated for a lease someone else holds, is still lost.
  const Lease stale{2, "w1", 1};
  CHECK(store.finish(stale, {}) == LeaseState::kLost);
  CHECK_THAT(log.messages().front(), Catch::Matchers::Contains("connection lost"));
}

TEST_CASE("a fail or release cut off after it committed is held, not lost", "[db][reconnect]") {
  StoreFixture<SqliteBackend> f;
  f.storage->add_trials(f.study, {train_trial(1), train_trial(2)});
  std::set<std::string> cut_off;
  LogCapture log;
  ReconnectingStorage store([&] { return std::make_unique<CutOffStorage>(*f.storage, cut_off); }, 5.0);
  const Lease first = store.claim_next(claim_as("w1", 60))->lease;
  cut_off = {"release"};
  CHECK(store.release(first) == LeaseState::kHeld);
  CHECK(f.storage->get_trial(1)->status == TrialStatus::kPending);
  const Lease again = store.claim_next(claim_as("w1", 60))->lease;
  REQUIRE(again.trial_id == 1);
  cut_off = {"fail"};
  CHECK(store.fail(again, "broken") == LeaseState::kHeld);
  CHECK(f.storage->get_trial(1)->status == TrialStatus::kFailed);
}

TEST_CASE("after an outage no running trial is taken over for one heartbeat timeout", "[db][reconnect]") {
  StoreFixture<SqliteBackend> f;
  f.storage->add_trials(f.study, {train_trial(1)});
  std::set<std::string> cut_off;
  LogCapture log;
  ReconnectingStorage store([&] { return std::make_unique<CutOffStorage>(*f.storage, cut_off); }, 5.0);
  // Worker w1 holds the trial; its heartbeat then goes stale (the store's clock moves
  // past the timeout), as in any outage. The grace is counted on the real clock.
  REQUIRE(f.storage->claim_next(claim_as("w1", 60)));
  constexpr double kTimeoutS = 0.4;
  f.clock.advance(kTimeoutS + 1);
  // w2's connection is lost and comes back: within the grace it takes over nothing...
  cut_off = {"count_trials"};
  store.count_trials(f.study);
  REQUIRE(cut_off.empty());
  CHECK_FALSE(store.claim_next(claim_as("w2", kTimeoutS)));
  CHECK(f.storage->get_trial(1)->worker == "w1");
  // ...and after it, a trial still not heartbeating is taken over as usual.
  std::this_thread::sleep_for(std::chrono::duration<double>(kTimeoutS + 0.1));
  f.clock.advance(kTimeoutS + 0.1);
  const std::optional<ClaimedTrial> taken = store.claim_next(claim_as("w2", kTimeoutS));
  REQUIRE(taken);
  CHECK(taken->lease.attempt == 2);
  CHECK(f.storage->get_trial(1)->worker == "w2");
}

TEST_CASE("a PostgreSQL store goes on through server restarts, each trial run once", "[db][reconnect][postgres]") {
  TempDir dir;
  PrivatePostgresServer server(dir.path() / "pg");
  const std::string url = server.database("restarts");
  LogCapture log;
  const auto storage = open_storage(url);
  const std::int64_t study = storage->create_or_get_study({"restarts", "", ""}).id;
  storage->add_trials(study, {train_trial(1), train_trial(2)});
  const Lease first = storage->claim_next(claim_as("w1", 60))->lease;

  server.restart();
  CHECK(storage->heartbeat(first) == LeaseState::kHeld);
  CHECK(storage->append_curve(first, {{"loss", 1, 2.5}}) == LeaseState::kHeld);
  server.restart();
  CHECK(storage->finish(first, {{"loss", 2.0}}) == LeaseState::kHeld);
  server.restart();
  const std::optional<ClaimedTrial> second = storage->claim_next(claim_as("w1", 60));
  REQUIRE(second);
  CHECK(second->trial.id != first.trial_id);
  CHECK(storage->finish(second->lease, {}) == LeaseState::kHeld);
  for (const TrialRecord& t : storage->list_trials({})) {
    CHECK(t.status == TrialStatus::kDone);
    CHECK(t.attempts == 1);
  }
  CHECK(storage->get_curves(first.trial_id).size() == 1);
  bool reconnected = false;
  for (const std::string& m : log.messages()) reconnected |= m.find("reconnected") != std::string::npos;
  CHECK(reconnected);

  // Without reconnecting, the same restart is a ConnectionLost.
  const auto plain = open_storage(url, {.reconnect_timeout_s = 0});
  server.restart();
  CHECK_THROWS_AS(plain->count_trials(study), ConnectionLost);
}

TEST_CASE("a PostgreSQL server that stays away is given up on after the timeout, or at once when cancelled",
          "[db][reconnect][postgres]") {
  TempDir dir;
  PrivatePostgresServer server(dir.path() / "pg");
  const std::string url = server.database("gone");
  LogCapture log;
  bool cancelled = false;
  const auto patient = open_storage(url, {.reconnect_timeout_s = 2});
  const auto stopping = open_storage(url, {.reconnect_timeout_s = 60, .cancel_reconnect = [&] { return cancelled; }});
  server.stop();

  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(patient->list_studies(), ConnectionLost);
  CHECK(seconds_since(start) >= 1.5);
  CHECK(seconds_since(start) < 10);
  cancelled = true;
  start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(stopping->list_studies(), ConnectionLost);
  CHECK(seconds_since(start) < 1);
}

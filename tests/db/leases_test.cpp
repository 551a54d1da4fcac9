// The worker protocol within one process, on both backends, with a
// hand-driven clock so that heartbeat timeouts pass without sleeping. Several
// processes at once are covered in processes_test.cpp.
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "db/storage.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;

TEMPLATE_TEST_CASE("trials are claimed oldest first, each by one worker", "[db][storage][leases]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  const auto added = f.storage->add_trials(f.study, {train_trial(1), train_trial(2), train_trial(3)});
  f.clock.advance(7);
  const auto first = f.storage->claim_next(claim_as("w1"));
  REQUIRE(first);
  CHECK(first->trial.id == added[0].id);
  CHECK(first->trial.status == TrialStatus::kRunning);
  CHECK(first->trial.worker == "w1");
  CHECK(first->trial.attempts == 1);
  CHECK(first->trial.started == f.clock.now());
  CHECK(first->trial.heartbeat == f.clock.now());
  CHECK((first->lease.trial_id == added[0].id && first->lease.worker == "w1" && first->lease.attempt == 1));

  CHECK(f.claimed_id(claim_as("w2")) == added[1].id);
  CHECK(f.claimed_id(claim_as("w1")) == added[2].id);
  CHECK_FALSE(f.storage->claim_next(claim_as("w3")));
  CHECK(f.storage->count_trials(f.study).running == 3);
}

TEMPLATE_TEST_CASE("an eval trial is not claimable until its training trial is done", "[db][storage][leases]",
                   SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t train = f.storage->add_trial(f.study, train_trial(1)).id;
  const std::int64_t failing = f.storage->add_trial(f.study, train_trial(2)).id;
  // Evals are added before a later training trial, so id order alone would pick them first.
  const std::int64_t eval = f.storage->add_trial(f.study, eval_trial(1, train)).id;
  const std::int64_t orphan = f.storage->add_trial(f.study, eval_trial(2, failing)).id;
  const std::int64_t late = f.storage->add_trial(f.study, train_trial(3)).id;

  const auto trained = f.storage->claim_next(claim_as("w1"));
  REQUIRE(trained->trial.id == train);
  const auto doomed = f.storage->claim_next(claim_as("w2"));
  REQUIRE(doomed->trial.id == failing);
  CHECK(f.claimed_id(claim_as("w3")) == late);  // both evals are blocked
  CHECK_FALSE(f.storage->claim_next(claim_as("w3")));

  REQUIRE(f.storage->fail(doomed->lease, "diverged") == LeaseState::kHeld);
  CHECK_FALSE(f.storage->claim_next(claim_as("w3")));  // a failed parent unblocks nothing...
  const TrialRecord orphaned = *f.storage->get_trial(orphan);
  CHECK(orphaned.status == TrialStatus::kFailed);  // ...and its child can never run
  CHECK(orphaned.error == "parent trial " + std::to_string(failing) + " failed");
  CHECK(orphaned.attempts == 0);

  REQUIRE(f.storage->finish(trained->lease, {{"val_loss", 3.0}}) == LeaseState::kHeld);
  CHECK(f.claimed_id(claim_as("w3")) == eval);
  CHECK_FALSE(f.storage->claim_next(claim_as("w3")));
  const StatusCounts counts = f.storage->count_trials(f.study);
  CHECK(counts.pending + counts.running == 2);  // late and eval
  CHECK(counts.failed == 2);

  // Re-running the failed parent and its child runs both, in order.
  REQUIRE(f.storage->reset_trial(failing));
  REQUIRE(f.storage->reset_trial(orphan));
  const auto rerun = f.storage->claim_next(claim_as("w4"));
  REQUIRE(rerun->trial.id == failing);
  CHECK_FALSE(f.storage->claim_next(claim_as("w4")));
  REQUIRE(f.storage->finish(rerun->lease, {}) == LeaseState::kHeld);
  CHECK(f.claimed_id(claim_as("w4")) == orphan);
}

TEMPLATE_TEST_CASE("a failed trial's descendants fail level by level", "[db][storage][leases]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t root = f.storage->add_trial(f.study, train_trial(1)).id;
  const std::int64_t child = f.storage->add_trial(f.study, eval_trial(1, root)).id;
  const std::int64_t grandchild = f.storage->add_trial(f.study, eval_trial(2, child)).id;
  const auto claimed = f.storage->claim_next(claim_as("w"));
  REQUIRE(f.storage->fail(claimed->lease, "nan loss") == LeaseState::kHeld);
  CHECK_FALSE(f.storage->claim_next(claim_as("w")));
  CHECK(f.storage->get_trial(child)->status == TrialStatus::kFailed);
  CHECK(f.storage->get_trial(grandchild)->error == "parent trial " + std::to_string(child) + " failed");
}

TEMPLATE_TEST_CASE("claims can be limited to one study or one kind", "[db][storage][leases]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t other = f.storage->create_or_get_study({"other", "", ""}).id;
  const std::int64_t mine = f.storage->add_trial(f.study, train_trial(1)).id;
  const std::int64_t theirs = f.storage->add_trial(other, train_trial(1)).id;
  ClaimRequest request = claim_as("w");
  request.study_id = other;
  CHECK(f.claimed_id(request) == theirs);
  CHECK_FALSE(f.claimed_id(request));
  request = claim_as("w");
  request.kind = TrialKind::kEval;
  CHECK_FALSE(f.claimed_id(request));
  Lease lease = f.storage->claim_next(claim_as("w"))->lease;
  REQUIRE(lease.trial_id == mine);
  REQUIRE(f.storage->finish(lease, {}) == LeaseState::kHeld);
  const std::int64_t eval = f.storage->add_trial(f.study, eval_trial(1, mine)).id;
  CHECK(f.claimed_id(request) == eval);
}

TEMPLATE_TEST_CASE("a worker that lost its claim cannot finish, fail or write to the trial", "[db][storage][leases]",
                   SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t id = f.storage->add_trial(f.study, train_trial(1)).id;
  const Lease old = f.storage->claim_next(claim_as("w1", 1.0))->lease;
  REQUIRE(f.storage->append_curve(old, {{"train_loss", 0, 6.0}}) == LeaseState::kHeld);

  f.clock.advance(0.5);
  CHECK_FALSE(f.storage->claim_next(claim_as("w2", 1.0)));  // w1's heartbeat is still fresh
  f.clock.advance(1.0);
  LogCapture log;
  const auto taken = f.storage->claim_next(claim_as("w2", 1.0));
  REQUIRE(taken);
  REQUIRE(log.messages().size() == 1);
  CHECK_THAT(log.messages()[0], Catch::Matchers::Contains("worker w2 reclaimed trial " + std::to_string(id) +
                                                          " (attempt 2): worker w1 stopped heartbeating"));
  CHECK(taken->trial.id == id);
  CHECK(taken->lease.attempt == 2);
  CHECK(taken->trial.worker == "w2");

  CHECK(f.storage->heartbeat(old) == LeaseState::kLost);
  CHECK(f.storage->append_curve(old, {{"train_loss", 100, 99.0}}) == LeaseState::kLost);
  CHECK(f.storage->drop_curves_after(old, 0) == LeaseState::kLost);
  CHECK(f.storage->record_metrics(old, {{"stale", 1.0}}) == LeaseState::kLost);
  CHECK(f.storage->add_artifact(old, {"checkpoint", "old.pt", "x", 1}) == LeaseState::kLost);
  CHECK(f.storage->set_environment(old, {{"host", "dead"}}) == LeaseState::kLost);
  CHECK(f.storage->finish(old, {{"val_loss", 1.0}}) == LeaseState::kLost);
  CHECK(f.storage->fail(old, "too late") == LeaseState::kLost);
  // Same worker name, wrong attempt: still not the holder.
  CHECK(f.storage->finish({id, "w2", 1}, {}) == LeaseState::kLost);

  const TrialRecord running = *f.storage->get_trial(id);
  CHECK(running.status == TrialStatus::kRunning);
  CHECK(running.worker == "w2");
  CHECK(running.error.empty());
  CHECK(f.storage->get_curves(id).size() == 1);
  CHECK(f.storage->get_artifacts(id).empty());
  CHECK(f.storage->get_environment(id).empty());

  REQUIRE(f.storage->finish(taken->lease, {{"val_loss", 2.0}}) == LeaseState::kHeld);
  CHECK(f.storage->finish(taken->lease, {{"val_loss", 5.0}}) == LeaseState::kLost);  // finished already
  const auto metrics = f.storage->get_metrics({id});
  REQUIRE(metrics.size() == 1);
  CHECK(metrics[0].value == 2.0);
  CHECK(f.storage->get_trial(id)->finished == f.clock.now());
}

TEMPLATE_TEST_CASE("heartbeats keep a trial from being reclaimed", "[db][storage][leases]", SqliteBackend,
                   PostgresBackend) {
  StoreFixture<TestType> f;
  f.storage->add_trial(f.study, train_trial(1));
  const Lease lease = f.storage->claim_next(claim_as("w1", 1.0))->lease;
  for (int i = 0; i < 5; ++i) {
    f.clock.advance(0.8);
    REQUIRE(f.storage->heartbeat(lease) == LeaseState::kHeld);
    CHECK(f.storage->get_trial(lease.trial_id)->heartbeat == f.clock.now());
    CHECK_FALSE(f.storage->claim_next(claim_as("w2", 1.0)));
  }
  f.clock.advance(1.01);
  LogCapture log;
  CHECK(f.storage->claim_next(claim_as("w2", 1.0)));
}

TEMPLATE_TEST_CASE("a trial that outlives max_attempts workers is failed, not handed out again",
                   "[db][storage][leases]", SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t id = f.storage->add_trial(f.study, train_trial(1)).id;
  LogCapture log;
  ClaimRequest request = claim_as("w1", 1.0);
  request.max_attempts = 2;
  REQUIRE(f.claimed_id(request) == id);
  f.clock.advance(2);
  request.worker = "w2";
  REQUIRE(f.claimed_id(request) == id);
  f.clock.advance(2);
  request.worker = "w3";
  CHECK_FALSE(f.claimed_id(request));
  const TrialRecord failed = *f.storage->get_trial(id);
  CHECK(failed.status == TrialStatus::kFailed);
  CHECK(failed.attempts == 2);
  CHECK(failed.error == "abandoned: worker w2 stopped heartbeating on attempt 2 of 2");
  CHECK(failed.finished == f.clock.now());
  REQUIRE(log.messages().size() == 2);  // the reclaim by w2, then the abandonment
  CHECK_THAT(log.messages()[1], Catch::Matchers::EndsWith("trial " + std::to_string(id) + " failed: " + failed.error));
}

TEMPLATE_TEST_CASE("claim requests are checked", "[db][storage][leases]", SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  CHECK_THROWS_MATCHES(f.storage->claim_next(claim_as("")), mose::DbError, MessageContains({"worker id is empty"}));
  CHECK_THROWS_MATCHES(f.storage->claim_next(claim_as("w", 0.0)), mose::DbError,
                       MessageContains({"heartbeat timeout must be a positive number of seconds, got 0"}));
  ClaimRequest request = claim_as("w");
  request.max_attempts = 0;
  CHECK_THROWS_MATCHES(f.storage->claim_next(request), mose::DbError, MessageContains({"max_attempts"}));
}

TEMPLATE_TEST_CASE("a released trial is pending again, keeps its results and runs next at once",
                   "[db][storage][leases]", SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const std::int64_t id = f.storage->add_trial(f.study, train_trial(1)).id;
  const Lease first = f.storage->claim_next(claim_as("w1", 60.0))->lease;
  REQUIRE(f.storage->append_curve(first, {{"train_loss", 10, 5.0}}) == LeaseState::kHeld);
  REQUIRE(f.storage->record_metrics(first, {{"steps", 10.0}}) == LeaseState::kHeld);
  REQUIRE(f.storage->release(first) == LeaseState::kHeld);

  const TrialRecord released = *f.storage->get_trial(id);
  CHECK(released.status == TrialStatus::kPending);
  CHECK(released.attempts == 1);
  CHECK_FALSE(released.started);
  CHECK_FALSE(released.heartbeat);
  CHECK(f.storage->get_curves(id).size() == 1);
  CHECK(f.storage->get_metrics({id}).size() == 1);
  CHECK(f.storage->release(first) == LeaseState::kLost);  // not running any more
  CHECK(f.storage->finish(first, {}) == LeaseState::kLost);

  // No heartbeat timeout to wait for: the next claim takes it, as attempt 2.
  const auto again = f.storage->claim_next(claim_as("w2", 60.0));
  REQUIRE(again);
  CHECK(again->trial.id == id);
  CHECK(again->lease.attempt == 2);
  CHECK(f.storage->release(first) == LeaseState::kLost);  // the old lease never matches again
  CHECK(f.storage->get_trial(id)->status == TrialStatus::kRunning);
}

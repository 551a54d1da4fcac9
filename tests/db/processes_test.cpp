// The worker protocol across real processes, on both backends: fork()ed
// workers each open their own connection to one store (a SQLite file, or a
// database on the PostgreSQL test server), on the real clock. Checks that
// every trial runs exactly once under contention (8 workers, 40 trials), that
// processes racing to create a fresh store agree on one schema and one copy of
// each trial, and that a worker killed with SIGKILL mid-trial loses nothing
// already finished and has its trial reclaimed once its heartbeat goes stale.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "db/sqlite/connection.h"
#include "db/storage.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kWorkers = 8;
constexpr int kTrainingTrials = 20;
constexpr int kTrials = 2 * kTrainingTrials;

// kTrainingTrials training trials, each with one eval trial that needs it.
std::int64_t make_study(const std::string& url) {
  auto storage = open_storage(url);
  const std::int64_t study = storage->create_or_get_study({"procs", "", ""}).id;
  std::vector<std::int64_t> trains;
  for (int i = 0; i < kTrainingTrials; ++i) trains.push_back(storage->add_trial(study, train_trial(i)).id);
  for (int i = 0; i < kTrainingTrials; ++i) storage->add_trial(study, eval_trial(i, trains[i]));
  return study;
}

// Claims and finishes trials until none are left; returns how many it
// finished, or 101+ if the protocol misbehaved. Each finish records a metric
// naming this worker, so a trial run twice would carry two such metrics.
int run_worker(const std::string& path, const std::string& worker, int start_fd) {
  char go = 0;
  if (::read(start_fd, &go, 1) < 0) return 110;  // EOF when the parent releases every worker at once
  auto storage = open_storage(path);
  int finished = 0;
  const auto deadline = SteadyClock::now() + 60s;
  while (SteadyClock::now() < deadline) {
    const auto claimed = storage->claim_next(claim_as(worker, 10.0));
    if (!claimed) {
      const StatusCounts counts = storage->count_trials(std::nullopt);
      if (counts.pending + counts.running == 0) return finished;
      std::this_thread::sleep_for(2ms);  // an eval waits for its training trial
      continue;
    }
    const Lease& lease = claimed->lease;
    if (claimed->trial.attempts != 1) return 101;
    if (storage->append_curve(lease, {{"loss", 0, 1.0}, {"loss", 1, 0.5}}) != LeaseState::kHeld) return 102;
    std::this_thread::sleep_for(5ms);  // the "work"
    if (storage->finish(lease, {{"run_by_" + worker, 1.0}}) != LeaseState::kHeld) return 103;
    ++finished;
  }
  return 104;
}

// Waits for one byte from `fd` for up to `timeout`; false on timeout or EOF.
bool wait_for_byte(int fd, std::chrono::milliseconds timeout) {
  pollfd poll_fd{fd, POLLIN, 0};
  if (::poll(&poll_fd, 1, static_cast<int>(timeout.count())) != 1) return false;
  char byte = 0;
  return ::read(fd, &byte, 1) == 1;
}

}  // namespace

TEMPLATE_TEST_CASE("eight worker processes finish a 40-trial study, each trial exactly once",
                   "[db][storage][processes]", SqliteBackend, PostgresBackend) {
  TestType backend;
  const std::string path = backend.url("shared");
  const std::int64_t study = make_study(path);

  int start[2];
  REQUIRE(::pipe(start) == 0);
  std::vector<pid_t> workers;
  for (int w = 0; w < kWorkers; ++w) {
    const std::string name = "worker" + std::to_string(w);
    const pid_t pid = spawn([&] {
      ::close(start[1]);
      return run_worker(path, name, start[0]);
    });
    REQUIRE(pid > 0);
    workers.push_back(pid);
  }
  ::close(start[0]);
  ::close(start[1]);  // every worker's read() returns now

  int total = 0;
  for (pid_t pid : workers) {
    const int code = wait_for(pid);
    INFO("worker exit code " << code);
    CHECK((code >= 0 && code <= kTrials));
    total += code;
  }
  CHECK(total == kTrials);

  auto storage = open_storage(path);
  const std::vector<TrialRecord> trials = storage->list_trials({.study_id = study});
  REQUIRE(trials.size() == kTrials);
  std::vector<std::int64_t> ids;
  for (const TrialRecord& trial : trials) ids.push_back(trial.id);
  std::map<std::int64_t, std::vector<std::string>> runners;
  for (const MetricRecord& metric : storage->get_metrics(ids)) runners[metric.trial_id].push_back(metric.name);
  std::map<std::int64_t, double> finished_at;
  for (const TrialRecord& trial : trials) finished_at[trial.id] = trial.finished.value_or(-1);
  for (const TrialRecord& trial : trials) {
    INFO("trial " << trial.id);
    CHECK(trial.status == TrialStatus::kDone);
    CHECK(trial.attempts == 1);
    REQUIRE(runners[trial.id].size() == 1);
    CHECK(runners[trial.id][0] == "run_by_" + trial.worker);
    CHECK(storage->get_curves(trial.id).size() == 2);
    if (trial.parent_id) CHECK(*trial.started >= finished_at[*trial.parent_id]);
  }
}

TEMPLATE_TEST_CASE("processes opening a fresh store at once migrate it once and add each trial once",
                   "[db][storage][processes]", SqliteBackend, PostgresBackend) {
  TestType backend;
  const std::string path = backend.url("fresh");
  int start[2];
  REQUIRE(::pipe(start) == 0);
  std::vector<pid_t> planners;
  for (int p = 0; p < 3; ++p) {
    const pid_t pid = spawn([&] {
      ::close(start[1]);
      char go = 0;
      if (::read(start[0], &go, 1) < 0) return 110;
      auto storage = open_storage(path);
      const std::int64_t study = storage->create_or_get_study({"race", "", ""}).id;
      int inserted = 0;
      for (int i = 0; i < 12; ++i) inserted += storage->add_trial(study, train_trial(i)).inserted ? 1 : 0;
      return inserted;
    });
    REQUIRE(pid > 0);
    planners.push_back(pid);
  }
  ::close(start[0]);
  ::close(start[1]);
  int inserted = 0;
  for (pid_t pid : planners) {
    const int code = wait_for(pid);
    INFO("planner exit code " << code);
    CHECK((code >= 0 && code <= 12));
    inserted += code;
  }
  CHECK(inserted == 12);
  auto storage = open_storage(path);
  CHECK(storage->list_studies().size() == 1);
  CHECK(storage->list_trials({}).size() == 12);
}

TEMPLATE_TEST_CASE("a worker killed with SIGKILL has its trial reclaimed after the heartbeat timeout",
                   "[db][storage][processes]", SqliteBackend, PostgresBackend) {
  constexpr double kTimeout = 1.0;
  TestType backend;
  const std::string path = backend.url("killed");
  std::int64_t first = 0;
  std::int64_t second = 0;
  {
    auto storage = open_storage(path);
    const std::int64_t study = storage->create_or_get_study({"kill", "", ""}).id;
    first = storage->add_trial(study, train_trial(1)).id;
    second = storage->add_trial(study, train_trial(2)).id;
  }

  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t victim = spawn([&] {
    ::close(ready[0]);
    auto storage = open_storage(path);
    const Lease done = storage->claim_next(claim_as("victim", kTimeout)).value().lease;
    storage->append_curve(done, {{"loss", 0, 4.0}, {"loss", 10, 3.0}});
    if (storage->finish(done, {{"val_loss", 3.0}}) != LeaseState::kHeld) return 1;
    const Lease lease = storage->claim_next(claim_as("victim", kTimeout)).value().lease;
    if (::write(ready[1], "r", 1) != 1) return 2;
    for (std::int64_t step = 0;; ++step) {  // heartbeats and curve writes until killed
      storage->append_curve(lease, {{"loss", step, 1.0 / static_cast<double>(step + 1)}});
      storage->heartbeat(lease);
      std::this_thread::sleep_for(20ms);
    }
  });
  REQUIRE(victim > 0);
  ::close(ready[1]);
  REQUIRE(wait_for_byte(ready[0], 10s));
  ::close(ready[0]);
  std::this_thread::sleep_for(100ms);  // let it get some heartbeats and writes in
  REQUIRE(::kill(victim, SIGKILL) == 0);
  const auto killed_at = SteadyClock::now();
  REQUIRE(wait_for(victim) == -SIGKILL);

  LogCapture log;
  auto storage = open_storage(path);
  CHECK(storage->get_trial(second)->worker == "victim");
  CHECK_FALSE(storage->claim_next(claim_as("rescuer", kTimeout)));  // its heartbeat is still fresh
  std::optional<ClaimedTrial> rescued;
  while (!rescued && SteadyClock::now() - killed_at < 10s) {
    std::this_thread::sleep_for(50ms);
    rescued = storage->claim_next(claim_as("rescuer", kTimeout));
  }
  REQUIRE(rescued);
  CHECK(SteadyClock::now() - killed_at >= 0.9s);
  CHECK(rescued->trial.id == second);
  CHECK(rescued->lease.attempt == 2);
  CHECK(log.messages().size() == 1);  // the reclaim
  CHECK(storage->finish({second, "victim", 1}, {{"val_loss", 9.0}}) == LeaseState::kLost);
  REQUIRE(storage->finish(rescued->lease, {{"val_loss", 2.0}}) == LeaseState::kHeld);

  const TrialRecord done = *storage->get_trial(first);
  CHECK(done.status == TrialStatus::kDone);
  CHECK(done.worker == "victim");
  CHECK(done.attempts == 1);
  CHECK(storage->get_curves(first).size() == 2);
  const TrialRecord redone = *storage->get_trial(second);
  CHECK(redone.status == TrialStatus::kDone);
  CHECK(redone.worker == "rescuer");
  const auto metrics = storage->get_metrics({first, second});
  REQUIRE(metrics.size() == 2);
  CHECK(metrics[0].value == 3.0);
  CHECK(metrics[1].value == 2.0);

  if constexpr (std::is_same_v<TestType, SqliteBackend>) {
    // A process killed mid-write must not corrupt the file (PostgreSQL's server
    // simply rolls the dead session back).
    mose::db::sqlite::Connection raw(path, 1.0);
    mose::db::sqlite::Statement check = raw.prepare("PRAGMA integrity_check");
    REQUIRE(check.step());
    CHECK(check.column_text(0) == "ok");
  }
}

// Stopping mose-study wherever it is: SIGTERM in the middle of a long evaluation (here a
// ttt policy's calibration, over a minute undisturbed) ends the run within seconds and
// hands the evaluation trial back; a second Ctrl-C ends it at once, even in the middle
// of a training step that takes many seconds.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "cli_test_support.h"
#include "db/storage.h"
#include "study/study_test_support.h"

namespace mose::app::cli {
namespace {

using study::testing::ScratchDir;

// One training trial of two steps of `batch_size` sequences of 128 tokens (256: about
// 10 s a step on one core), then one evaluation under ttt, whose calibration evaluates
// the 2-layer, d_model 128 model over 150k tokens many times: about 70 s on one core.
std::string slow_recipe(const std::filesystem::path& dir, int batch_size = 2) {
  return fmt::format(R"(
[study]
name = "slow-eval"

[data]
max_bytes = 2000000
cache_dir = "{}"

[model]
n_layer = 2
n_head = 4
d_model = 128
seq_len = 128
n_experts = 4
d_ff = 512
dense_d_ff = 512

[train]
steps = 2
batch_size = {}
log_every = 1
device = "cpu"

[train.optim]
warmup_steps = 1

[eval]
tokens = 2000000
batch_size = 4

[[policy]]
name = "ttt"
budgets = [0.5]
)",
                     (dir / "cache").string(), batch_size);
}

// The first trial of `kind`, once the store has it.
std::optional<db::TrialRecord> first_trial(const std::filesystem::path& db_path, db::TrialKind kind) {
  try {
    if (!std::filesystem::exists(db_path)) return std::nullopt;
    const auto trials = db::open_storage(db_path.string(), {.read_only = true})->list_trials({.kind = kind});
    if (!trials.empty()) return trials.front();
  } catch (const std::exception&) {
    // the store is still being created
  }
  return std::nullopt;
}

// Polls every 50 ms for up to 3 minutes until the first trial of `kind` is running.
bool wait_until_running(const std::filesystem::path& db_path, db::TrialKind kind) {
  for (int i = 0; i < 3600; ++i) {
    const std::optional<db::TrialRecord> trial = first_trial(db_path, kind);
    if (trial && trial->status == db::TrialStatus::kRunning) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string file_text(const std::filesystem::path& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("SIGTERM during a long evaluation stops the run within seconds and hands the trial back",
          "[app][cli][stop]") {
  ScratchDir dir("cli_stop_eval");
  std::ofstream(dir.path() / "recipe.toml") << slow_recipe(dir.path());
  const std::filesystem::path db_path = dir.path() / "out" / "study.db";
  const pid_t pid =
      testing::start_cli({"run", "recipe.toml", "--out", "out", "--no-export"}, dir.path(), dir.path() / "run.log");
  REQUIRE(wait_until_running(db_path, db::TrialKind::kEval));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // well into the calibration
  const auto signalled = std::chrono::steady_clock::now();
  REQUIRE(::kill(pid, SIGTERM) == 0);
  const int code = testing::wait_cli(pid);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  const std::string log = file_text(dir.path() / "run.log");
  INFO(log);
  CHECK(code == 130);
  CHECK(seconds < 10);
  const std::optional<db::TrialRecord> trial = first_trial(db_path, db::TrialKind::kEval);
  REQUIRE(trial);
  CHECK(trial->status == db::TrialStatus::kPending);  // handed back: the next run evaluates it at once
  CHECK(trial->attempts == 1);
  CHECK_THAT(log, Catch::Contains("stopped on request"));
}

TEST_CASE("a second Ctrl-C ends the run at once, in the middle of a long training step", "[app][cli][stop]") {
  ScratchDir dir("cli_stop_twice");
  std::ofstream(dir.path() / "recipe.toml") << slow_recipe(dir.path(), 256);
  const std::filesystem::path db_path = dir.path() / "out" / "study.db";
  const pid_t pid =
      testing::start_cli({"run", "recipe.toml", "--out", "out", "--no-export"}, dir.path(), dir.path() / "run.log");
  REQUIRE(wait_until_running(db_path, db::TrialKind::kTrain));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // into the first step
  REQUIRE(::kill(pid, SIGINT) == 0);                     // waits for the end of the step
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto second = std::chrono::steady_clock::now();
  REQUIRE(::kill(pid, SIGINT) == 0);  // does not
  const int code = testing::wait_cli(pid);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - second).count();
  const std::string log = file_text(dir.path() / "run.log");
  INFO(log);
  CHECK(code == 130);
  CHECK(seconds < 2);
  CHECK_THAT(log, Catch::Contains("stopping at once (second interrupt)"));
  CHECK_THAT(log, !Catch::Contains("step 1/2"));  // it never got to the end of the step
  // Nothing handed the trial back: it waits for the heartbeat timeout, as after kill -9.
  const std::optional<db::TrialRecord> trial = first_trial(db_path, db::TrialKind::kTrain);
  REQUIRE(trial);
  CHECK(trial->status == db::TrialStatus::kRunning);
}

}  // namespace mose::app::cli

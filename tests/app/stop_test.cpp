// Stopping mose-study wherever it is: SIGTERM in the middle of a long evaluation (here a
// ttt policy's calibration, over a minute undisturbed) ends the run within seconds and
// hands the evaluation trial back.
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

// One training trial of two steps, then one evaluation under ttt, whose calibration
// evaluates a 2-layer, d_model 128 model over some 35k windows' worth of tokens many
// times: about 70 s on one core.
std::string slow_evaluation_recipe(const std::filesystem::path& dir) {
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
batch_size = 2
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
                     (dir / "cache").string());
}

std::optional<db::TrialRecord> eval_trial(const std::filesystem::path& db_path) {
  if (!std::filesystem::exists(db_path)) return std::nullopt;
  const auto trials =
      db::open_storage(db_path.string(), {.read_only = true})->list_trials({.kind = db::TrialKind::kEval});
  if (trials.empty()) return std::nullopt;
  return trials.front();
}

}  // namespace

TEST_CASE("SIGTERM during a long evaluation stops the run within seconds and hands the trial back",
          "[app][cli][stop]") {
  ScratchDir dir("cli_stop_eval");
  std::ofstream(dir.path() / "recipe.toml") << slow_evaluation_recipe(dir.path());
  const std::filesystem::path db_path = dir.path() / "out" / "study.db";
  const pid_t pid =
      testing::start_cli({"run", "recipe.toml", "--out", "out", "--no-export"}, dir.path(), dir.path() / "run.log");
  bool evaluating = false;
  for (int i = 0; i < 3600 && !evaluating; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    try {
      const std::optional<db::TrialRecord> trial = eval_trial(db_path);
      evaluating = trial && trial->status == db::TrialStatus::kRunning;
    } catch (const std::exception&) {
      // the store is still being created
    }
  }
  REQUIRE(evaluating);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // well into the calibration
  const auto signalled = std::chrono::steady_clock::now();
  REQUIRE(::kill(pid, SIGTERM) == 0);
  const int code = testing::wait_cli(pid);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  std::stringstream log;
  log << std::ifstream(dir.path() / "run.log").rdbuf();
  INFO(log.str());
  CHECK(code == 130);
  CHECK(seconds < 10);
  const std::optional<db::TrialRecord> trial = eval_trial(db_path);
  REQUIRE(trial);
  CHECK(trial->status == db::TrialStatus::kPending);  // handed back: the next run evaluates it at once
  CHECK(trial->attempts == 1);
  CHECK_THAT(log.str(), Catch::Contains("stopped on request"));
}

}  // namespace mose::app::cli

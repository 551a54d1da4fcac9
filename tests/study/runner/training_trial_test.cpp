// Training trials under faults: a full disk while the checkpoint is written fails the
// trial cleanly (recorded failed, no temporary file left, the worker goes on), a
// damaged checkpoint is never resumed from, and a trial retried or resumed keeps the
// curves of the checkpoint it continues (and only those).
#include "study/runner/training_trial.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/file_checksum.h"
#include "db/storage.h"
#include "fault_injection.h"
#include "study/runner/runner.h"
#include "study/runner/stop_signal.h"
#include "study/tiny_recipe.h"

namespace mose::study::runner {
namespace {

using testing::options_in;
using testing::ScratchDir;

constexpr const char* kOnePolicy = "[[policy]]\nname = \"uniform\"\nwidths = [1.0]\n";

bool has_temp_files(const std::filesystem::path& folder) {
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

// Runs the study until its training trial has logged `step`, then stops it (the trial
// checkpoints and is handed back).
RunReport run_until_step(const recipe::Recipe& recipe, RunOptions options, std::int64_t step) {
  options.progress = [step](const TrialProgress& event) {
    if (event.phase == TrialPhase::kTraining && event.step >= step) request_stop();
  };
  RunReport report = run_study(recipe, options);
  clear_stop_request();
  return report;
}

// The step of every point of curve `name`, in order.
std::vector<std::int64_t> curve_steps(db::Storage& storage, std::int64_t trial_id, const std::string& name) {
  std::vector<std::int64_t> steps;
  for (const db::CurvePoint& point : storage.get_curves(trial_id)) {
    if (point.name == name) steps.push_back(point.step);
  }
  return steps;
}

// The training time the curves account for, an independent measure of train_seconds:
// each logged interval took (tokens since the previous point) / tokens_per_s seconds,
// and the intervals of every attempt are disjoint parts of its training time.
double logged_training_seconds(db::Storage& storage, std::int64_t trial_id) {
  std::map<std::int64_t, double> tokens, rate;
  for (const db::CurvePoint& point : storage.get_curves(trial_id)) {
    if (point.name == "tokens") tokens[point.step] = point.value;
    if (point.name == "tokens_per_s") rate[point.step] = point.value;
  }
  double seconds = 0, previous = 0;
  for (const auto& [step, seen] : tokens) {
    seconds += (seen - previous) / rate.at(step);
    previous = seen;
  }
  return seconds;
}

std::map<std::string, double> metrics_of(db::Storage& storage, std::int64_t trial_id) {
  std::map<std::string, double> out;
  for (const db::MetricRecord& m : storage.get_metrics({trial_id})) out[m.name] = m.value;
  return out;
}

}  // namespace

TEST_CASE("a full disk while saving the checkpoint fails the trial cleanly", "[study][runner]") {
  ScratchDir dir("full_disk");
  const recipe::Recipe recipe = recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("full", dir.path(), 6, kOnePolicy)));
  RunOptions options = options_in(dir);
  const recipe::StudyPaths paths = recipe::study_paths(recipe.name, options.out, "");
  std::filesystem::create_directories(paths.checkpoints());
  // The one worker runs in this process: its temporary checkpoint file, made a link to
  // /dev/full, fails every write with ENOSPC as a full disk does.
  const std::filesystem::path checkpoint = paths.checkpoint(recipe.training[0].config_hash);
  std::filesystem::create_symlink("/dev/full", checkpoint.string() + ".tmp." + std::to_string(::getpid()));

  const RunReport full = run_study(recipe, options);
  CHECK(full.exit_code() == 1);
  CHECK(full.counts.running == 0);
  CHECK(full.counts.failed == 2);  // the training trial and, never run, its evaluation
  REQUIRE_FALSE(full.failures.empty());
  CHECK_THAT(full.failures[0].error,
             Catch::Matchers::Contains(checkpoint.string()) && Catch::Matchers::Contains("No space left on device"));
  CHECK_FALSE(has_temp_files(paths.checkpoints()));
  CHECK_FALSE(std::filesystem::exists(checkpoint));

  options.retry_failed = true;
  const RunReport retried = run_study(recipe, options);
  CHECK(retried.exit_code() == 0);
  CHECK(retried.counts.done == 2);
}

TEST_CASE("an unfinished trial never resumes from a damaged checkpoint", "[study][runner]") {
  ScratchDir dir("damaged_resume");
  const recipe::Recipe recipe = recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("resume", dir.path(), 20, kOnePolicy)));
  RunOptions options = options_in(dir);
  const RunReport stopped = run_until_step(recipe, options, 5);
  REQUIRE(stopped.counts.pending == 2);
  const std::filesystem::path checkpoint = stopped.plan.paths.checkpoint(recipe.training[0].config_hash);
  testing::flip_middle_bytes(checkpoint);

  const RunReport resumed = run_study(recipe, options);
  CHECK(resumed.exit_code() == 1);
  CHECK(resumed.counts.done == 0);
  REQUIRE_FALSE(resumed.failures.empty());
  CHECK_THAT(resumed.failures[0].error, Catch::Matchers::Contains(checkpoint.string()) &&
                                            Catch::Matchers::Contains(file_crc32(checkpoint).checksum) &&
                                            Catch::Matchers::Contains("damaged"));
  const auto storage = db::open_storage(resumed.plan.paths.storage_url);
  CHECK(storage->get_metrics({resumed.plan.training_ids[0]}).empty());

  // As the message says: without the damaged files the trial trains again from scratch.
  std::filesystem::remove(checkpoint);
  std::filesystem::remove(checksum_file_for(checkpoint));
  options.retry_failed = true;
  const RunReport retried = run_study(recipe, options);
  CHECK(retried.exit_code() == 0);
  CHECK(retried.counts.done == 2);
}

TEST_CASE("a trial retried after failing past its final checkpoint keeps its curves and train_loss",
          "[study][runner]") {
  ScratchDir dir("retry_curves");
  const recipe::Recipe recipe = recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("retry", dir.path(), 20, kOnePolicy)));
  RunOptions options = options_in(dir);
  // The training trial fails once its final checkpoint is written, as it records its results.
  options.progress = [](const TrialProgress& event) {
    if (event.kind == "train" && event.phase == TrialPhase::kRecording) throw std::runtime_error("injected failure");
  };
  const RunReport failed = run_study(recipe, options);
  REQUIRE(failed.counts.failed == 2);
  const std::int64_t training = failed.plan.training_ids[0];
  const auto storage = db::open_storage(failed.plan.paths.storage_url);
  const std::vector<std::int64_t> logged{5, 10, 15, 20};
  REQUIRE(curve_steps(*storage, training, "lm_loss") == logged);

  options.progress = nullptr;
  options.retry_failed = true;
  const RunReport retried = run_study(recipe, options);
  REQUIRE(retried.counts.done == 2);
  CHECK(curve_steps(*storage, training, "lm_loss") == logged);
  CHECK(curve_steps(*storage, training, "grad_norm") == logged);
  const auto metrics = metrics_of(*storage, training);
  CHECK(metrics.at("resumed_from_step") == 20);  // the retry ran no step
  double last_loss = 0;
  for (const db::CurvePoint& point : storage->get_curves(training)) {
    if (point.name == "lm_loss" && point.step == 20) last_loss = point.value;
  }
  CHECK(metrics.at("train_loss") == last_loss);
  // The time of the attempt that trained every step, not of the retry that ran none.
  CHECK(metrics.at("train_seconds") >= 0.99 * logged_training_seconds(*storage, training));
  CHECK(metrics.at("attempt_train_seconds") < 0.1 * metrics.at("train_seconds"));
  CHECK(metrics.at("train_tokens_per_s") == Approx(metrics.at("tokens") / metrics.at("train_seconds")));
}

TEST_CASE("points an attempt logged past the checkpoint the next one resumes from are dropped", "[study][runner]") {
  ScratchDir dir("stale_curves");
  const recipe::Recipe recipe = recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("stale", dir.path(), 20, kOnePolicy)));
  const RunOptions options = options_in(dir);
  const RunReport stopped = run_until_step(recipe, options, 5);  // checkpointed at step 5
  const std::int64_t training = stopped.plan.training_ids[0];
  const auto storage = db::open_storage(stopped.plan.paths.storage_url);
  // An attempt that logged step 7 and died before its next checkpoint.
  const std::optional<db::ClaimedTrial> ghost =
      storage->claim_next({.worker = "ghost", .study_id = stopped.plan.study.id});
  REQUIRE(ghost);
  REQUIRE(ghost->trial.id == training);
  REQUIRE(storage->append_curve(ghost->lease, {{"lm_loss", 7, 9.9}}) == db::LeaseState::kHeld);
  REQUIRE(storage->release(ghost->lease) == db::LeaseState::kHeld);

  const RunReport resumed = run_study(recipe, options);
  REQUIRE(resumed.counts.done == 2);
  CHECK(curve_steps(*storage, training, "lm_loss") == std::vector<std::int64_t>{5, 10, 15, 20});
  const auto metrics = metrics_of(*storage, training);
  CHECK(metrics.at("resumed_from_step") == 5);
  // Both attempts' training time: steps 1-5 before the stop, 6-20 after it.
  CHECK(metrics.at("train_seconds") >= 0.99 * logged_training_seconds(*storage, training));
  CHECK(metrics.at("attempt_train_seconds") < metrics.at("train_seconds"));
}

}  // namespace mose::study::runner

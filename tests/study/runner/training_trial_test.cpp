// Training trials under faults: a full disk while the checkpoint is written fails the
// trial cleanly (recorded failed, no temporary file left, the worker goes on), and a
// damaged checkpoint is never resumed from.
#include "study/runner/training_trial.h"

#include <unistd.h>

#include <catch2/catch.hpp>

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

}  // namespace mose::study::runner

// Training trials under faults: a full disk while the checkpoint is written fails the
// trial cleanly (recorded failed, no temporary file left, the worker goes on).
#include "study/runner/training_trial.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "db/storage.h"
#include "fault_injection.h"
#include "study/runner/runner.h"
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

}  // namespace mose::study::runner

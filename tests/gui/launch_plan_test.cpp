// Launch: a recipe's plan as `mose-study check` counts it, the run's arguments, and
// progress read back from a study snapshot.
#include <catch2/catch.hpp>

#include "app/gui/view_model/launch_plan.h"
#include "base/errors.h"
#include "gui/gui_test_support.h"

namespace mose::app::gui::view_model {
namespace {

TEST_CASE("launch plan: trial counts and mose-study arguments", "[gui][launch]") {
  const std::filesystem::path dir = testing::scratch_dir("launch_plan");
  const std::filesystem::path recipe =
      study::testing::write_recipe(dir, study::testing::tiny_recipe_text("launched", dir, 10, testing::kFixtureBody));
  const LaunchPlan plan = plan_launch(recipe);
  REQUIRE(plan.study == "launched");
  REQUIRE(plan.training_trials == 8);
  REQUIRE(plan.evaluation_trials == 56);
  REQUIRE(plan.out == std::filesystem::path("out/launched"));
  REQUIRE(run_arguments(plan, 2) ==
          std::vector<std::string>{"run", recipe.string(), "--out", "out/launched", "--workers", "2"});
  REQUIRE(plan_launch(recipe, dir / "elsewhere").out == dir / "elsewhere");
  REQUIRE_THROWS_AS(plan_launch(dir / "missing.toml"), Error);
}

TEST_CASE("launch plan: progress counts finished trials of both kinds", "[gui][launch]") {
  StudySnapshot snapshot;
  snapshot.training = {.pending = 0, .running = 1, .done = 3, .failed = 0};
  snapshot.evaluation = {.pending = 10, .running = 0, .done = 5, .failed = 1};
  snapshot.eta_s = 42.0;
  const RunProgress progress = run_progress(snapshot);
  REQUIRE(progress.finished == 9);
  REQUIRE(progress.total == 20);
  REQUIRE(progress.fraction == Approx(0.45));
  REQUIRE(progress.eta_s == 42.0);
  REQUIRE(run_progress(StudySnapshot{}).fraction == 0.0);
}

}  // namespace
}  // namespace mose::app::gui::view_model

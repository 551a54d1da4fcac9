#include "launch_plan.h"

#include <cstdlib>

#include "study/recipe/recipe.h"

namespace mose::app::gui::view_model {

LaunchPlan plan_launch(const std::filesystem::path& recipe_path, const std::filesystem::path& out) {
  const study::recipe::Recipe recipe = study::recipe::load_recipe(recipe_path);
  return {.recipe = recipe_path,
          .study = recipe.name,
          .training_trials = recipe.training.size(),
          .evaluation_trials = recipe.evaluation.size(),
          .out = out.empty() ? std::filesystem::path("out") / recipe.name : out,
          .description = study::recipe::describe_recipe(recipe)};
}

std::vector<std::string> run_arguments(const LaunchPlan& plan, int workers) {
  return {"run", plan.recipe.string(), "--out", plan.out.string(), "--workers", std::to_string(workers)};
}

std::filesystem::path mose_study_program() {
  if (const char* env = std::getenv("MOSE_STUDY_BIN"); env != nullptr && *env != '\0') return env;
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / "mose-study";
}

RunProgress run_progress(const StudySnapshot& snapshot) {
  RunProgress progress;
  for (const db::StatusCounts* counts : {&snapshot.training, &snapshot.evaluation}) {
    progress.finished += counts->done + counts->failed;
    progress.total += counts->total();
  }
  progress.fraction =
      progress.total > 0 ? static_cast<double>(progress.finished) / static_cast<double>(progress.total) : 0.0;
  progress.eta_s = snapshot.eta_s;
  return progress;
}

}  // namespace mose::app::gui::view_model

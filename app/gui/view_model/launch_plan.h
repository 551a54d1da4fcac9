// "Launch": what running a recipe from the GUI will do, and how far it got. The plan
// reads the recipe the way `mose-study check` does (study/recipe/recipe.h: expanded training
// and evaluation trials); the run itself is `mose-study run <recipe> --out <out>` as a
// child process (child_process.h), and its progress is read back from the study store
// like any other live study (study_loader.h), so a run started elsewhere looks the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/view_model/study_snapshot.h"

namespace mose::app::gui::view_model {

struct LaunchPlan {
  std::filesystem::path recipe{};
  std::string study{};
  std::size_t training_trials = 0;
  std::size_t evaluation_trials = 0;
  std::filesystem::path out{};  // the study folder; its store is <out>/study.db
  std::string description{};    // study::describe_recipe: axes, policies, compute
};

// Loads and expands the recipe (throws RecipeError as `mose-study check` reports it).
// `out` empty: out/<study name>, as mose-study chooses.
LaunchPlan plan_launch(const std::filesystem::path& recipe, const std::filesystem::path& out = {});

// mose-study's arguments for the plan.
std::vector<std::string> run_arguments(const LaunchPlan& plan, int workers);

// $MOSE_STUDY_BIN when set, else mose-study beside the running executable
// (build/app/mose-gui -> build/app/mose-study).
std::filesystem::path mose_study_program();

struct RunProgress {
  std::int64_t finished = 0;  // done + failed trials, both kinds
  std::int64_t total = 0;
  double fraction = 0.0;  // finished / total; 0 without trials
  std::optional<double> eta_s{};
};

RunProgress run_progress(const StudySnapshot& snapshot);

}  // namespace mose::app::gui::view_model

// A study as analysis sees it: every trial with its metrics, its label and axis values,
// and its group, read from the store. Frontiers, exports, `status` and `gc` all start
// here.
//
// Groups. A point on a frontier is an evaluation trial; its group is
//   "<mode>|<routing>|<policy>"   e.g. "mose|topk|uniform", "moe|topk|uniform"
// with mode the training trial's "mode" axis value ("train" when the recipe defines no
// modes), routing its model.router.type, and policy the evaluation policy's name.
// Training trials get the group "<mode>|<routing>|train".
//
// Labels and axis values come from the recipe (the study's own, or one given): the
// store keeps each trial's canonical config, not how the recipe named it. Without the
// recipe, trials are labelled from their stored config ("trial 7", "policy=uniform,
// width=0.5") and have no axis values; routing, policy and width still come from the
// stored config.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/storage.h"
#include "study/recipe/recipe.h"

namespace mose::study::analysis {

struct TrialRow {
  db::TrialRecord trial{};
  std::string label{};                                      // the trial's own label
  std::string training_label{};                             // evaluation trials: their training trial's label
  std::vector<std::pair<std::string, std::string>> axes{};  // of the training trial
  std::string mode{};
  std::string routing{};
  std::string policy{};            // evaluation: the policy name; training: "train"
  std::optional<double> width{};   // evaluation: the policy's width setting, when it has one
  std::optional<double> budget{};  // evaluation: the policy's target expert budget (uniform: its width)
  bool standard_moe = false;       // trained with widths {1.0} only
  std::string group{};
  std::map<std::string, double, std::less<>> metrics{};

  std::optional<double> metric(std::string_view name) const;
  // "<training label> / <label>" for evaluation trials, the label otherwise.
  std::string full_label() const;
};

struct StudyData {
  db::StudyRecord study{};
  std::vector<TrialRow> trials{};         // by id
  std::vector<std::string> axis_names{};  // the recipe's; empty without one
  bool labelled_by_recipe = false;

  const TrialRow* find(std::int64_t trial_id) const;
};

// Reads the study's trials and metrics. `recipe` supplies labels and axes for the
// trials whose config hash it holds; nullptr = none.
StudyData load_study_data(db::Storage& storage, const db::StudyRecord& study, const recipe::Recipe* recipe);

// The study named `name`; without a name, the store's only study. Throws UsageError
// naming the store and listing its studies when there is no such study or several.
db::StudyRecord find_study(db::Storage& storage, const std::string& name);

// The recipe the study was run from (its stored path), or nullopt with a warning
// logged when that file is gone or no longer loads (analysis then labels trials from
// the store alone).
std::optional<recipe::Recipe> load_study_recipe(const db::StudyRecord& study);

}  // namespace mose::study::analysis

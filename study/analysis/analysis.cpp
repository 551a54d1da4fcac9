#include "study/analysis/analysis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "base/errors.h"
#include "base/log.h"
#include "study/analysis/json_reader.h"

namespace mose::study::analysis {
namespace {

// Where the recipe describes a trial: its spec, found by config hash.
struct RecipeIndex {
  std::map<std::string, const recipe::TrainingTrialSpec*, std::less<>> training;
  std::map<std::string, const recipe::EvalTrialSpec*, std::less<>> evaluation;
  bool has_modes = false;
};

RecipeIndex index_recipe(const recipe::Recipe* recipe) {
  RecipeIndex index;
  if (recipe == nullptr) return index;
  for (const recipe::TrainingTrialSpec& spec : recipe->training) index.training[spec.config_hash] = &spec;
  for (const recipe::EvalTrialSpec& spec : recipe->evaluation) index.evaluation[spec.config_hash] = &spec;
  index.has_modes = std::find(recipe->axis_names.begin(), recipe->axis_names.end(), "mode") != recipe->axis_names.end();
  return index;
}

Json parse_config(const db::TrialRecord& trial) {
  return parse_json(trial.config, fmt::format("trial {} config", trial.id));
}

bool widths_are_full_only(const Json& config) {
  const Json* widths = json_find(config, "train.width.widths");
  if (widths == nullptr) return false;
  return widths->is_array() && widths->size() == 1 && as_number(widths->front()) == 1.0;
}

TrialRow training_row(const db::TrialRecord& trial, const RecipeIndex& index) {
  TrialRow row{.trial = trial};
  const Json config = parse_config(trial);
  row.routing = json_text(json_find(config, "model.router.type")).value_or("?");
  row.standard_moe = widths_are_full_only(config);
  row.policy = "train";
  row.mode = "train";
  if (const auto it = index.training.find(trial.config_hash); it != index.training.end()) {
    row.label = it->second->label;
    row.axes = it->second->axes;
    for (const auto& [axis, value] : row.axes) {
      if (axis == "mode" && index.has_modes) row.mode = value;
    }
  } else {
    row.label = fmt::format("trial {}", trial.id);
  }
  return row;
}

// "policy=uniform,width=0.5" from the stored policy settings, as the recipe labels it.
std::string policy_label(const Json* policy) {
  if (policy == nullptr || !policy->is_object()) return "policy=?";
  std::vector<std::string> parts{"policy=" + json_text(json_find(*policy, "name")).value_or("?")};
  for (const auto& [key, value] : policy->items()) {
    if (key != "name") parts.push_back(key + "=" + *json_text(&value));
  }
  return fmt::format("{}", fmt::join(parts, ","));
}

TrialRow eval_row(const db::TrialRecord& trial, const TrialRow* parent, const RecipeIndex& index) {
  TrialRow row{.trial = trial};
  const Json config = parse_config(trial);
  const Json* policy = json_find(config, "policy");
  row.policy = json_text(policy ? json_find(*policy, "name") : nullptr).value_or("?");
  if (const Json* width = policy ? json_find(*policy, "width") : nullptr) row.width = as_number(*width);
  const Json* budget = policy ? json_find(*policy, "budget") : nullptr;
  row.budget = budget != nullptr ? std::optional<double>(as_number(*budget)) : row.width;
  const auto it = index.evaluation.find(trial.config_hash);
  row.label = it != index.evaluation.end() ? it->second->label : policy_label(policy);
  if (parent != nullptr) {
    row.training_label = parent->label;
    row.axes = parent->axes;
    row.mode = parent->mode;
    row.routing = parent->routing;
    row.standard_moe = parent->standard_moe;
  } else {
    row.mode = "?";
    row.routing = "?";
  }
  return row;
}

// Sweep axes other than the mode are part of the routing regime a trial belongs to
// ("topk[model.router.top_k=1]"), so each regime gets its own frontier. Seeds are not:
// trials that differ only by seed belong to one group.
std::string routing_axes_suffix(const std::vector<std::pair<std::string, std::string>>& axes) {
  std::string suffix;
  for (const auto& [name, value] : axes) {
    if (name == "mode" || name == "train.seed") continue;
    suffix += (suffix.empty() ? "[" : ",") + name + "=" + value;
  }
  return suffix.empty() ? suffix : suffix + "]";
}

}  // namespace

std::optional<double> TrialRow::metric(std::string_view name) const {
  const auto it = metrics.find(name);
  if (it == metrics.end()) return std::nullopt;
  return it->second;
}

std::string TrialRow::full_label() const { return training_label.empty() ? label : training_label + " / " + label; }

const TrialRow* StudyData::find(std::int64_t trial_id) const {
  const auto it = std::lower_bound(trials.begin(), trials.end(), trial_id,
                                   [](const TrialRow& row, std::int64_t id) { return row.trial.id < id; });
  return it != trials.end() && it->trial.id == trial_id ? &*it : nullptr;
}

StudyData load_study_data(db::Storage& storage, const db::StudyRecord& study, const recipe::Recipe* recipe) {
  StudyData data{.study = study, .labelled_by_recipe = recipe != nullptr};
  if (recipe != nullptr) data.axis_names = recipe->axis_names;
  const RecipeIndex index = index_recipe(recipe);
  const std::vector<db::TrialRecord> trials = storage.list_trials({.study_id = study.id});
  std::vector<std::int64_t> ids;
  for (const db::TrialRecord& trial : trials) ids.push_back(trial.id);
  std::map<std::int64_t, std::map<std::string, double, std::less<>>> metrics;
  for (const db::MetricRecord& m : storage.get_metrics(ids)) metrics[m.trial_id][m.name] = m.value;
  // Parents have lower ids than their children (they are added first), so one pass in
  // id order sees every parent before its evaluation trials.
  for (const db::TrialRecord& trial : trials) {
    if (trial.kind == db::TrialKind::kTrain) {
      data.trials.push_back(training_row(trial, index));
      data.trials.back().routing += routing_axes_suffix(data.trials.back().axes);  // evaluations inherit it
    } else {
      const TrialRow* parent = trial.parent_id ? data.find(*trial.parent_id) : nullptr;
      data.trials.push_back(eval_row(trial, parent, index));
    }
    TrialRow& row = data.trials.back();
    row.group = row.mode + "|" + row.routing + "|" + row.policy;
    row.metrics = std::move(metrics[trial.id]);
  }
  return data;
}

db::StudyRecord find_study(db::Storage& storage, const std::string& name) {
  const std::vector<db::StudyRecord> studies = storage.list_studies();
  std::vector<std::string> names;
  for (const db::StudyRecord& s : studies) names.push_back(s.name);
  if (!name.empty()) {
    for (const db::StudyRecord& s : studies) {
      if (s.name == name) return s;
    }
    throw UsageError(fmt::format("{}: no study named '{}'; it holds: {}", storage.describe(), name,
                                 names.empty() ? "no studies" : fmt::format("{}", fmt::join(names, ", "))));
  }
  if (studies.size() == 1) return studies.front();
  if (studies.empty()) throw UsageError(fmt::format("{}: holds no study yet; run a recipe first", storage.describe()));
  throw UsageError(fmt::format("{}: holds several studies ({}); choose one with --study", storage.describe(),
                               fmt::join(names, ", ")));
}

std::optional<recipe::Recipe> load_study_recipe(const db::StudyRecord& study) {
  if (study.recipe_path.empty() || !std::filesystem::exists(study.recipe_path)) {
    log::warn("study '{}': recipe {} is not there any more; trials are labelled from the store alone", study.name,
              study.recipe_path.empty() ? "(none stored)" : study.recipe_path);
    return std::nullopt;
  }
  try {
    return recipe::load_recipe(study.recipe_path);
  } catch (const RecipeError& e) {
    log::warn("study '{}': its recipe no longer loads, so trials are labelled from the store alone: {}", study.name,
              e.what());
    return std::nullopt;
  }
}

}  // namespace mose::study::analysis

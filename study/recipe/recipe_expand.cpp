// Expansion of a RecipePlan into trials: the grid (modes x sweep axes, last axis
// fastest), then the explicit [[trial]]s; each validated by the engine, given its
// canonical JSON and hash, and checked against the others for duplicates. Evaluation
// trials are every policy applied to every training trial.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>

#include "base/errors.h"
#include "core/spec/settings.h"
#include "study/recipe/canonical_json.h"
#include "study/recipe/recipe.h"
#include "study/recipe/recipe_plan.h"

namespace mose::study::recipe {
namespace {

// A training trial before validation: its config and what to call it in messages.
struct Candidate {
  core::spec::RunConfig config;
  std::optional<std::size_t> mode;
  std::vector<const RecipeKey*> labelled;  // keys its label shows, in order
  Where where;                             // the recipe, or the [[trial]] table
};

void apply(core::spec::RunConfig& config, const std::vector<Override>& overrides) {
  for (const Override& o : overrides) o.key->set(config, o.value);
}

std::string label_of(const RecipePlan& plan, const Candidate& c) {
  std::vector<std::string> parts;
  if (c.mode) parts.push_back("mode=" + plan.modes[*c.mode].name);
  for (const RecipeKey* key : c.labelled) parts.push_back(key->key + "=" + value_text(to_json(key->get(c.config))));
  if (parts.empty()) return "base";
  return fmt::format("{}", fmt::join(parts, ","));
}

// RecipeError at the longest axis (or the first [[trial]] past the limit) when the grid
// and the explicit trials make more than kMaxTrainingTrials; counted before expanding.
void check_training_count(const RecipePlan& plan) {
  std::vector<std::string> factors;
  double grid_size = 1;  // a double: the product of a few axes may overflow size_t
  if (!plan.modes.empty()) {
    grid_size *= static_cast<double>(plan.modes.size());
    factors.push_back(fmt::format("{} modes", plan.modes.size()));
  }
  const AxisPlan* longest = nullptr;
  for (const AxisPlan& axis : plan.axes) {
    grid_size *= static_cast<double>(axis.values.size());
    factors.push_back(fmt::format("{} values of {}", axis.values.size(), axis.key->key));
    if (longest == nullptr || axis.values.size() > longest->values.size()) longest = &axis;
  }
  const double total = grid_size + static_cast<double>(plan.trials.size());
  if (total <= static_cast<double>(kMaxTrainingTrials)) return;
  std::string breakdown = fmt::format("{}", fmt::join(factors, " x "));
  if (!plan.trials.empty()) {
    breakdown += fmt::format("{}{} [[trial]]", factors.empty() ? "" : " + ", plan.trials.size());
  }
  const std::string expected = fmt::format("at most {} training trials per recipe", kMaxTrainingTrials);
  const std::string problem = fmt::format("{:.0f} training trials ({})", total, breakdown);
  if (longest != nullptr) throw recipe_error(longest->where, "sweep." + longest->key->key, problem, expected);
  // No axis: the grid is the modes (or the one base trial), and the first [[trial]] past
  // the limit is at index kMaxTrainingTrials - grid_size; modes alone past it are the
  // [modes] tables' fault, named by the file.
  if (grid_size >= static_cast<double>(kMaxTrainingTrials)) {
    throw recipe_error(Where{plan.path.string()}, "modes", problem, expected);
  }
  const std::size_t first_past = kMaxTrainingTrials - static_cast<std::size_t>(grid_size);
  throw recipe_error(plan.trials.at(first_past).where, fmt::format("trial[{}]", first_past), problem, expected);
}

// RecipeError at the [[policy]] with the most policies when every policy applied to
// every training trial makes more than kMaxEvaluationTrials.
void check_evaluation_count(const RecipePlan& plan, std::size_t training) {
  std::size_t policies = 0;
  const PolicyPlan* largest = nullptr;
  for (const PolicyPlan& p : plan.policies) {
    policies += p.policies.size();
    if (largest == nullptr || p.policies.size() > largest->policies.size()) largest = &p;
  }
  if (largest == nullptr ||
      static_cast<double>(policies) * static_cast<double>(training) <= static_cast<double>(kMaxEvaluationTrials)) {
    return;
  }
  throw recipe_error(
      largest->where, largest->shown,
      fmt::format("{} evaluation trials ({} policies x {} training trials)", policies * training, policies, training),
      fmt::format("at most {} evaluation trials per recipe", kMaxEvaluationTrials));
}

std::vector<Candidate> grid(const RecipePlan& plan, const core::spec::RunConfig& base) {
  std::vector<std::size_t> sizes;  // mode axis first when there is one
  if (!plan.modes.empty()) sizes.push_back(plan.modes.size());
  for (const AxisPlan& axis : plan.axes) sizes.push_back(axis.values.size());
  const std::size_t first_axis = plan.modes.empty() ? 0 : 1;
  std::vector<Candidate> out;
  std::vector<std::size_t> index(sizes.size(), 0);
  while (true) {
    Candidate c{base, std::nullopt, {}, Where{plan.path.string()}};
    if (!plan.modes.empty()) {
      c.mode = index[0];
      apply(c.config, plan.modes[index[0]].overrides);
    }
    for (std::size_t a = 0; a < plan.axes.size(); ++a) {
      const Override& value = plan.axes[a].values[index[first_axis + a]];
      value.key->set(c.config, value.value);
      c.labelled.push_back(plan.axes[a].key);
    }
    out.push_back(std::move(c));
    // Odometer step: the last axis turns fastest.
    std::size_t d = sizes.size();
    while (d > 0 && ++index[d - 1] == sizes[d - 1]) index[--d] = 0;
    if (d == 0) return out;
  }
}

Candidate explicit_trial(const RecipePlan& plan, const core::spec::RunConfig& base, const TrialPlan& trial) {
  Candidate c{base, trial.mode, {}, trial.where};
  if (trial.mode) apply(c.config, plan.modes[*trial.mode].overrides);
  apply(c.config, trial.overrides);
  for (const Override& o : trial.overrides) c.labelled.push_back(o.key);
  return c;
}

std::vector<std::string> axis_names(const RecipePlan& plan) {
  std::vector<std::string> names;
  if (!plan.modes.empty()) names.push_back("mode");
  for (const AxisPlan& axis : plan.axes) names.push_back(axis.key->key);
  for (const TrialPlan& trial : plan.trials) {
    for (const Override& o : trial.overrides) {
      if (std::find(names.begin(), names.end(), o.key->key) == names.end()) names.push_back(o.key->key);
    }
  }
  return names;
}

TrainingTrialSpec training_spec(const RecipePlan& plan, const Candidate& c, const std::vector<std::string>& axes) {
  TrainingTrialSpec spec;
  spec.label = label_of(plan, c);
  try {
    c.config.validate();
  } catch (const ConfigError& error) {
    throw RecipeError(fmt::format("{}: trial {}: {}", c.where.text(), spec.label, error.what()));
  }
  for (const std::string& name : axes) {
    if (name == "mode") {
      spec.axes.emplace_back(name, c.mode ? plan.modes[*c.mode].name : "");
    } else {
      spec.axes.emplace_back(name, value_text(to_json(core::spec::find_setting(name)->get(c.config))));
    }
  }
  spec.config = c.config;
  spec.config_json = to_canonical_json(config_json(c.config));
  spec.config_hash = core::spec::stable_hash(spec.config_json);
  return spec;
}

void check_distinct(const Recipe& recipe) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < recipe.training.size(); ++i) {
    const TrainingTrialSpec& trial = recipe.training[i];
    const auto [it, fresh] = seen.emplace(trial.config_hash, i);
    if (fresh) continue;
    throw RecipeError(fmt::format(
        "{}: trial {}: same configuration as trial {} (hash {}); expected distinct training trials (a [sweep] "
        "or [[trial]] value may repeat what a mode or the base already sets)",
        recipe.path.string(), trial.label, recipe.training[it->second].label, trial.config_hash));
  }
}

// Every expanded policy with its label and canonical settings; a repeated one is an error.
struct PolicyEntry {
  core::spec::WidthPolicySpec policy;
  std::string label;
  Json settings;
};

std::vector<PolicyEntry> policy_entries(const RecipePlan& plan) {
  std::vector<PolicyEntry> entries;
  std::map<std::string, std::string> seen;  // canonical settings -> which [[policy]]
  for (const PolicyPlan& p : plan.policies) {
    for (const core::spec::WidthPolicySpec& policy : p.policies) {
      Json settings = Json::object();
      std::vector<std::string> parts{"policy=" + policy.name};
      for (const auto& [key, value] : p.kind->identity(policy)) {
        settings[key] = to_json(value);
        if (key != "name") parts.push_back(key + "=" + value_text(settings[key]));
      }
      const std::string label = fmt::format("{}", fmt::join(parts, ","));
      const auto [it, fresh] =
          seen.emplace(to_canonical_json(settings), fmt::format("{} ({})", p.shown, p.where.text()));
      if (!fresh) {
        throw recipe_error(p.where, p.shown, fmt::format("{} repeats one from {}", label, it->second),
                           "distinct evaluation policies");
      }
      entries.push_back(PolicyEntry{policy, label, std::move(settings)});
    }
  }
  return entries;
}

std::vector<EvalTrialSpec> evaluation_trials(const Recipe& recipe, const std::vector<PolicyEntry>& policies) {
  std::vector<EvalTrialSpec> out;
  for (std::size_t t = 0; t < recipe.training.size(); ++t) {
    for (const PolicyEntry& entry : policies) {
      EvalTrialSpec spec;
      spec.training_index = t;
      spec.policy = entry.policy;
      spec.label = entry.label;
      spec.config_json =
          to_canonical_json(Json{{"policy", entry.settings}, {"training", recipe.training[t].config_hash}});
      spec.config_hash = core::spec::stable_hash(spec.config_json);
      out.push_back(std::move(spec));
    }
  }
  return out;
}

}  // namespace

Recipe load_recipe(const std::filesystem::path& path) {
  const RecipePlan plan = parse_recipe(path);
  Recipe recipe;
  recipe.name = plan.name;
  recipe.description = plan.description;
  recipe.path = plan.path;
  recipe.files = plan.files;
  recipe.axis_names = axis_names(plan);

  check_training_count(plan);
  core::spec::RunConfig base;
  apply(base, plan.base);
  std::vector<Candidate> candidates = grid(plan, base);
  for (const TrialPlan& trial : plan.trials) candidates.push_back(explicit_trial(plan, base, trial));
  for (const Candidate& c : candidates) recipe.training.push_back(training_spec(plan, c, recipe.axis_names));
  check_distinct(recipe);
  check_evaluation_count(plan, recipe.training.size());
  recipe.evaluation = evaluation_trials(recipe, policy_entries(plan));
  return recipe;
}

}  // namespace mose::study::recipe

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

constexpr const char* kSeedKey = "train.seed";

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
  const double configurations = grid_size + static_cast<double>(plan.trials.size());
  const double total = configurations * plan.seeds;
  if (total <= static_cast<double>(kMaxTrainingTrials)) return;
  std::string breakdown = fmt::format("{}", fmt::join(factors, " x "));
  if (!plan.trials.empty()) {
    breakdown += fmt::format("{}{} [[trial]]", factors.empty() ? "" : " + ", plan.trials.size());
  }
  if (plan.seeds > 1) breakdown = fmt::format("({}) x {} seeds", breakdown, plan.seeds);
  const std::string expected = fmt::format("at most {} training trials per recipe", kMaxTrainingTrials);
  const std::string problem = fmt::format("{:.0f} training trials ({})", total, breakdown);
  if (plan.seeds > 1 && configurations <= static_cast<double>(kMaxTrainingTrials)) {
    throw recipe_error(plan.seeds_where, "study.seeds", problem, expected);  // the seeds tip it over
  }
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
  if (plan.seeds > 1) names.push_back(kSeedKey);
  return names;
}

// [study] seeds = n with the seed also set per trial would make two sources of seeds.
void check_seed_sources(const RecipePlan& plan) {
  if (plan.seeds == 1) return;
  const std::string expected = "one source of seeds: [study] seeds = n trains seeds train.seed + 0 .. n-1";
  for (const AxisPlan& axis : plan.axes) {
    if (axis.key->key == kSeedKey) {
      throw recipe_error(axis.where, "sweep.train.seed", "a train.seed axis in a study with [study] seeds", expected);
    }
  }
  for (std::size_t i = 0; i < plan.trials.size(); ++i) {
    for (const Override& o : plan.trials[i].overrides) {
      if (o.key->key != kSeedKey) continue;
      throw recipe_error(plan.trials[i].where, fmt::format("trial[{}].train.seed", i),
                         "train.seed in a [[trial]] of a study with [study] seeds", expected);
    }
  }
}

// Each configuration once per seed, seeds train.seed + 0 .. n-1 next to each other; the
// first is the configuration itself, so raising [study] seeds only adds trials.
std::vector<Candidate> with_seeds(std::vector<Candidate> configurations, int seeds) {
  if (seeds == 1) return configurations;
  const RecipeKey* seed_key = core::spec::find_setting(kSeedKey);
  std::vector<Candidate> out;
  for (const Candidate& c : configurations) {
    for (int i = 0; i < seeds; ++i) {
      Candidate replica = c;
      replica.config.train.seed = c.config.train.seed + static_cast<std::uint64_t>(i);
      replica.labelled.push_back(seed_key);
      out.push_back(std::move(replica));
    }
  }
  return out;
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
  spec.config_json = to_canonical_json(identity_json(c.config, core::spec::SettingRole::kTraining));
  spec.config_hash = core::spec::stable_hash(spec.config_json);
  spec.legacy_config_hash = core::spec::stable_hash(to_canonical_json(legacy_config_json(c.config)));
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

// Every expanded policy with the [[policy]] table it came from; a repeated one is an error.
struct PolicyEntry {
  core::spec::WidthPolicySpec policy;
  const PolicyPlan* plan = nullptr;
};

// The identity settings of `policy` and its label ("policy=ttt,budget=0.5,grid=[...]").
std::pair<Json, std::string> policy_identity(const core::spec::WidthPolicyKind& kind,
                                             const core::spec::WidthPolicySpec& policy) {
  Json settings = Json::object();
  std::vector<std::string> parts{"policy=" + policy.name};
  for (const auto& [key, value] : kind.identity(policy)) {
    settings[key] = to_json(value);
    if (key != "name") parts.push_back(key + "=" + value_text(settings[key]));
  }
  return {std::move(settings), fmt::format("{}", fmt::join(parts, ","))};
}

std::vector<PolicyEntry> policy_entries(const RecipePlan& plan) {
  std::vector<PolicyEntry> entries;
  std::map<std::string, std::string> seen;  // canonical settings -> which [[policy]]
  for (const PolicyPlan& p : plan.policies) {
    for (const core::spec::WidthPolicySpec& policy : p.policies) {
      const auto [settings, label] = policy_identity(*p.kind, policy);
      const auto [it, fresh] =
          seen.emplace(to_canonical_json(settings), fmt::format("{} ({})", p.shown, p.where.text()));
      if (!fresh) {
        throw recipe_error(p.where, p.shown, fmt::format("{} repeats one from {}", label, it->second),
                           "distinct evaluation policies");
      }
      entries.push_back(PolicyEntry{policy, &p});
    }
  }
  return entries;
}

// Every model is evaluated at full width (what training trials recorded themselves
// before evaluation left them): a uniform width-1.0 evaluation is added after the
// recipe's policies when none of them is one.
void add_full_width(std::vector<PolicyEntry>& entries, const RecipePlan& plan, PolicyPlan& implicit) {
  for (const PolicyEntry& entry : entries) {
    if (entry.plan->kind->uniform && entry.policy.width == 1.0 && entry.policy.experts_per_token == 0) return;
  }
  implicit.where = Where{plan.path.string()};
  implicit.shown = "the full-width evaluation";
  implicit.kind = &core::spec::width_policy_kind(core::spec::WidthPolicySpec{});
  implicit.policies = {core::spec::WidthPolicySpec{}};
  entries.push_back(PolicyEntry{implicit.policies.front(), &implicit});
}

// A budgeted policy picks among the widths the model was trained at (its W, when W has
// more than one): a width outside W is one the model never saw. A standard MoE (W =
// {1.0}) keeps the policy's own grid, so it can still be cut as the baseline it is,
// and evaluation flags those widths as untrained.
core::spec::WidthPolicySpec policy_for(const PolicyEntry& entry, const TrainingTrialSpec& training) {
  core::spec::WidthPolicySpec policy = entry.policy;
  const std::vector<double>& trained = training.config.train.width.widths;
  if (entry.plan->kind->uniform || trained.size() < 2) return policy;
  policy.grid = trained;
  std::sort(policy.grid.begin(), policy.grid.end());
  try {
    policy.validate();
  } catch (const ConfigError& error) {
    throw recipe_error(entry.plan->where, entry.plan->shown,
                       fmt::format("for trial {}, whose trained widths {} are the policy's grid: {}", training.label,
                                   value_text(to_json(core::spec::SettingValue(trained))), error.what()),
                       "a budget within the trained widths' range");
  }
  return policy;
}

std::vector<EvalTrialSpec> evaluation_trials(const Recipe& recipe, const std::vector<PolicyEntry>& policies) {
  std::vector<EvalTrialSpec> out;
  for (std::size_t t = 0; t < recipe.training.size(); ++t) {
    const TrainingTrialSpec& training = recipe.training[t];
    const Json evaluation = identity_json(training.config, core::spec::SettingRole::kEvaluation);
    for (const PolicyEntry& entry : policies) {
      EvalTrialSpec spec;
      spec.training_index = t;
      spec.policy = policy_for(entry, training);
      auto [settings, label] = policy_identity(*entry.plan->kind, spec.policy);
      spec.label = std::move(label);
      Json identity = evaluation;
      identity["policy"] = settings;
      identity["training"] = training.config_hash;
      spec.config_json = to_canonical_json(identity);
      spec.config_hash = core::spec::stable_hash(spec.config_json);
      spec.legacy_config_hash = core::spec::stable_hash(
          to_canonical_json(Json{{"policy", settings}, {"training", training.legacy_config_hash}}));
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

  recipe.seeds = plan.seeds;

  check_seed_sources(plan);
  check_training_count(plan);
  core::spec::RunConfig base;
  apply(base, plan.base);
  std::vector<Candidate> configurations = grid(plan, base);
  for (const TrialPlan& trial : plan.trials) configurations.push_back(explicit_trial(plan, base, trial));
  const std::vector<Candidate> candidates = with_seeds(std::move(configurations), plan.seeds);
  for (const Candidate& c : candidates) recipe.training.push_back(training_spec(plan, c, recipe.axis_names));
  check_distinct(recipe);
  check_evaluation_count(plan, recipe.training.size());
  std::vector<PolicyEntry> policies = policy_entries(plan);
  PolicyPlan full_width;
  add_full_width(policies, plan, full_width);
  recipe.evaluation = evaluation_trials(recipe, policies);
  return recipe;
}

}  // namespace mose::study::recipe

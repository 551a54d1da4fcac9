// The `mose-study check` summary of a recipe and the compute estimates behind it.
// FLOPs follow core/spec/flops.h (2 x multiply-adds, training = 3 x forward).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <unordered_set>

#include "core/spec/flops.h"
#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"
#include "core/spec/width_policy.h"
#include "core/spec/width_sampler.h"
#include "study/recipe/recipe.h"

namespace mose::study::recipe {
namespace {

// The vocabulary the model will have, as far as the config alone can tell.
core::spec::ModelConfig resolved_model(const core::spec::RunConfig& config) {
  core::spec::ModelConfig model = config.model;
  if (model.vocab_size == 0) {
    const bool byte_text = config.data.format == "text" && config.data.tokenizer == "byte";
    model.vocab_size = byte_text ? 256 : config.data.vocab_size;
  }
  return model;
}

// "1.23 TFLOP": three significant digits and an SI prefix.
std::string format_flops(double flops) {
  static const char* const kPrefixes[] = {"", "k", "M", "G", "T", "P", "E", "Z"};
  std::size_t p = 0;
  while (flops >= 1000.0 && p + 1 < std::size(kPrefixes)) {
    flops /= 1000.0;
    ++p;
  }
  return fmt::format("{:.3g} {}FLOP", flops, kPrefixes[p]);
}

// "  routing regimes: topk (token choice: ...); ..." for the extensions `name_of` picks
// out of the trials, each with its descriptor's summary, in order of first appearance.
template <typename Descriptor>
std::string used_line(const Recipe& recipe, const char* what, const core::spec::Registry<Descriptor>& registry,
                      std::string (*name_of)(const core::spec::RunConfig&)) {
  std::vector<std::string> names;
  for (const TrainingTrialSpec& trial : recipe.training) {
    const std::string name = name_of(trial.config);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::vector<std::string> parts;
  for (const std::string& name : names) parts.push_back(fmt::format("{} ({})", name, registry.at(name).summary));
  return fmt::format("  {}: {}\n", what, fmt::join(parts, "; "));
}

std::string used_policies(const Recipe& recipe) {
  std::vector<std::string> names;
  for (const EvalTrialSpec& eval : recipe.evaluation) {
    if (std::find(names.begin(), names.end(), eval.policy.name) == names.end()) names.push_back(eval.policy.name);
  }
  std::vector<std::string> parts;
  for (const std::string& name : names) {
    parts.push_back(fmt::format("{} ({})", name, core::spec::width_policies().at(name).summary));
  }
  return parts.empty() ? "" : fmt::format("  width policies: {}\n", fmt::join(parts, "; "));
}

}  // namespace

std::string describe_memory(const core::spec::MemoryEstimate& memory, const core::spec::RunConfig& config) {
  using core::spec::format_bytes;
  return fmt::format(
      "{:.3g} parameters: weights {}, gradients {}, AdamW state {}; activations {} for one micro-batch of {} x {} "
      "tokens; evaluation windows {}",
      memory.parameters, format_bytes(memory.weights), format_bytes(memory.gradients), format_bytes(memory.optimizer),
      format_bytes(memory.activations), config.train.batch_size, config.model.seq_len, format_bytes(memory.evaluation));
}

namespace {

// Axis values over all trials, in order of first appearance; linear in the trials (an
// axis may have as many values as the recipe has trials).
std::vector<std::string> distinct_values(const Recipe& recipe, std::size_t axis) {
  std::vector<std::string> values;
  std::unordered_set<std::string_view> seen;
  for (const TrainingTrialSpec& trial : recipe.training) {
    const std::string& v = trial.axes[axis].second;
    if (seen.insert(v).second) values.push_back(v);
  }
  return values;
}

}  // namespace

double estimate_training_flops(const core::spec::RunConfig& config) {
  const core::spec::ModelConfig model = resolved_model(config);
  const double forward = core::spec::non_expert_flops_per_token(model, model.seq_len).total() +
                         core::spec::full_width_expert_flops_per_token(model);
  const double tokens_per_step = static_cast<double>(config.train.batch_size) * config.train.grad_accum * model.seq_len;
  const double passes = core::spec::width_sampler(config.train.width).passes_per_step(config.train.width);
  return 3.0 * forward * tokens_per_step * passes * static_cast<double>(config.train.steps);
}

core::spec::MemoryEstimate training_memory(const core::spec::RunConfig& config) {
  return core::spec::estimate_training_memory(resolved_model(config), config.train, config.eval);
}

double estimate_evaluation_flops(const core::spec::RunConfig& config, const core::spec::WidthPolicySpec& policy) {
  const core::spec::ModelConfig model = resolved_model(config);
  const bool known = core::spec::width_policies().find(policy.name) != nullptr;
  const double share = known ? policy.target_budget() : 1.0;  // unknown: full width, an upper bound
  const double forward = core::spec::non_expert_flops_per_token(model, model.seq_len).total() +
                         share * core::spec::full_width_expert_flops_per_token(model);
  return forward * static_cast<double>(config.eval.tokens);
}

std::string describe_recipe(const Recipe& recipe) {
  std::string out = fmt::format("study {}", recipe.name);
  if (!recipe.description.empty()) out += ": " + recipe.description;
  out += "\n  files:";
  for (const auto& file : recipe.files) out += " " + file.string();
  out += fmt::format("\n  training trials: {}\n  evaluation trials: {}\n", recipe.training.size(),
                     recipe.evaluation.size());
  if (!recipe.axis_names.empty()) out += "  axes:\n";
  for (std::size_t a = 0; a < recipe.axis_names.size(); ++a) {
    const std::vector<std::string> values = distinct_values(recipe, a);
    out += fmt::format("    {} ({}): {}\n", recipe.axis_names[a], values.size(), fmt::join(values, ", "));
  }
  if (!recipe.evaluation.empty()) {
    std::vector<std::string> policies;  // the same for every training trial: read them off the first
    for (const EvalTrialSpec& eval : recipe.evaluation) {
      if (eval.training_index == 0) policies.push_back(eval.label);
    }
    out += fmt::format("  policies per training trial ({}): {}\n", policies.size(), fmt::join(policies, "; "));
  }
  out += used_line(recipe, "model families", core::spec::model_families(),
                   [](const core::spec::RunConfig& c) { return c.model.family; });
  out += used_line(recipe, "routing regimes", core::spec::router_regimes(),
                   [](const core::spec::RunConfig& c) { return c.model.router.type; });
  out += used_line(recipe, "width samplers", core::spec::width_samplers(),
                   [](const core::spec::RunConfig& c) { return c.train.width.sampler; });
  out += used_policies(recipe);
  double training_total = 0, evaluation_total = 0;
  std::vector<double> evaluation_per_trial(recipe.training.size(), 0.0);
  for (const EvalTrialSpec& eval : recipe.evaluation) {
    const double flops = estimate_evaluation_flops(recipe.training[eval.training_index].config, eval.policy);
    evaluation_per_trial[eval.training_index] += flops;
    evaluation_total += flops;
  }
  out += "  training trials (hash, training compute, evaluation compute, training memory, label):\n";
  std::size_t largest = 0;
  core::spec::MemoryEstimate largest_memory;
  for (std::size_t t = 0; t < recipe.training.size(); ++t) {
    const TrainingTrialSpec& trial = recipe.training[t];
    const double flops = estimate_training_flops(trial.config);
    const core::spec::MemoryEstimate memory = training_memory(trial.config);
    training_total += flops;
    if (t == 0 || memory.total() > largest_memory.total()) largest = t, largest_memory = memory;
    out += fmt::format("    {}  {:>12}  {:>12}  {:>10}  {}\n", trial.config_hash, format_flops(flops),
                       format_flops(evaluation_per_trial[t]), core::spec::format_bytes(memory.total()), trial.label);
  }
  out += fmt::format(
      "  compute: training ~{}, evaluation ~{} (training counts every width pass at full "
      "width: an upper bound for multi-width training)\n",
      format_flops(training_total), format_flops(evaluation_total));
  if (!recipe.training.empty()) {
    out += fmt::format("  memory: up to ~{} per training trial ({}: {})\n",
                       core::spec::format_bytes(largest_memory.total()), recipe.training[largest].label,
                       describe_memory(largest_memory, recipe.training[largest].config));
  }
  return out;
}

}  // namespace mose::study::recipe

// The `mose-study check` summary of a recipe and the compute estimates behind it.
// FLOPs follow core/eval/flops.h (2 x multiply-adds, training = 3 x forward).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>

#include "core/eval/flops.h"
#include "study/recipe.h"
#include "study/recipe_policies.h"

namespace mose::study {
namespace {

// The vocabulary the model will have, as far as the config alone can tell.
core::ModelConfig resolved_model(const core::RunConfig& config) {
  core::ModelConfig model = config.model;
  if (model.vocab_size == 0) {
    const bool byte_text = config.data.format == "text" && config.data.tokenizer == "byte";
    model.vocab_size = byte_text ? 256 : config.data.vocab_size;
  }
  return model;
}

// Forward passes per optimizer step, per micro-batch, from the width sampler.
double passes_per_step(const core::WidthTrainingConfig& width) {
  const double n_widths = static_cast<double>(width.widths.size());
  if (width.sampler == "all") return n_widths;
  if (width.sampler == "sandwich") return width.widths.size() == 1 ? 1.0 : 2.0 + width.sandwich_random;
  return 1.0;  // random: one width per step
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

// Axis values over all trials, in order of first appearance.
std::vector<std::string> distinct_values(const Recipe& recipe, std::size_t axis) {
  std::vector<std::string> values;
  for (const TrainingTrialSpec& trial : recipe.training) {
    const std::string& v = trial.axes[axis].second;
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  return values;
}

}  // namespace

double estimate_training_flops(const core::RunConfig& config) {
  const core::ModelConfig model = resolved_model(config);
  const double forward = core::non_expert_flops_per_token(model, model.seq_len).total() +
                         core::full_width_expert_flops_per_token(model);
  const double tokens_per_step =
      static_cast<double>(config.train.batch_size) * config.train.grad_accum * model.seq_len;
  return 3.0 * forward * tokens_per_step * passes_per_step(config.train.width) *
         static_cast<double>(config.train.steps);
}

double estimate_evaluation_flops(const core::RunConfig& config, const core::WidthPolicySpec& policy) {
  const core::ModelConfig model = resolved_model(config);
  const PolicyKind* kind = find_policy_kind(policy.name);
  const double share = kind != nullptr ? kind->expert_fraction(policy) : 1.0;  // unknown: full width, an upper bound
  const double forward = core::non_expert_flops_per_token(model, model.seq_len).total() +
                         share * core::full_width_expert_flops_per_token(model);
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
  double training_total = 0, evaluation_total = 0;
  std::vector<double> evaluation_per_trial(recipe.training.size(), 0.0);
  for (const EvalTrialSpec& eval : recipe.evaluation) {
    const double flops = estimate_evaluation_flops(recipe.training[eval.training_index].config, eval.policy);
    evaluation_per_trial[eval.training_index] += flops;
    evaluation_total += flops;
  }
  out += "  training trials (hash, training compute, evaluation compute, label):\n";
  for (std::size_t t = 0; t < recipe.training.size(); ++t) {
    const TrainingTrialSpec& trial = recipe.training[t];
    const double flops = estimate_training_flops(trial.config);
    training_total += flops;
    out += fmt::format("    {}  {:>12}  {:>12}  {}\n", trial.config_hash, format_flops(flops),
                       format_flops(evaluation_per_trial[t]), trial.label);
  }
  out += fmt::format("  compute: training ~{}, evaluation ~{} (training counts every width pass at full "
                     "width: an upper bound for multi-width training)\n",
                     format_flops(training_total), format_flops(evaluation_total));
  return out;
}

}  // namespace mose::study

#include "study/eval_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mose::study {
namespace {

double ratio(double num, double den) { return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN(); }

double mean_width(const core::MoeLayerStats& s, int d_ff) {
  return ratio(static_cast<double>(s.hidden_units), static_cast<double>(s.computed() + s.shared_assignments) * d_ff);
}

double load_max_over_mean(const core::MoeLayerStats& s) {
  if (s.tokens_per_expert.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto total = std::accumulate(s.tokens_per_expert.begin(), s.tokens_per_expert.end(), int64_t{0});
  const auto busiest = *std::max_element(s.tokens_per_expert.begin(), s.tokens_per_expert.end());
  return ratio(static_cast<double>(busiest),
               static_cast<double>(total) / static_cast<double>(s.tokens_per_expert.size()));
}

}  // namespace

std::vector<db::Metric> eval_metrics(const core::LmEvalResult& result, const core::ModelConfig& model) {
  std::vector<db::Metric> metrics{
      {"val_loss", result.lm_loss},
      {"perplexity", result.perplexity},
      {"eval_tokens", static_cast<double>(result.tokens)},
      {"eval_seconds", result.seconds},
      {"eval_tokens_per_s", result.tokens_per_s},
      {"flops_per_token", result.flops.total()},
      {"expert_flops_per_token", result.flops.experts},
      {"train_flops_per_token", result.flops.training()},
      {"expert_budget", result.expert_budget},
  };
  core::MoeLayerStats all;
  for (std::size_t i = 0; i < result.layers.size(); ++i) {
    const core::MoeLayerStats& layer = result.layers[i];
    all.assignments += layer.assignments;
    all.dropped += layer.dropped;
    all.hidden_units += layer.hidden_units;
    all.shared_assignments += layer.shared_assignments;
    all.tokens += layer.tokens;
    metrics.push_back({fmt::format("moe{}.dropped_fraction", i),
                       ratio(static_cast<double>(layer.dropped), static_cast<double>(layer.assignments))});
    metrics.push_back({fmt::format("moe{}.mean_width", i), mean_width(layer, model.expert_d_ff())});
    metrics.push_back({fmt::format("moe{}.experts_per_token", i), layer.mean_experts_per_token()});
    metrics.push_back({fmt::format("moe{}.dropped_tokens_fraction", i),
                       ratio(static_cast<double>(layer.tokens_without_expert), static_cast<double>(layer.tokens))});
    if (layer.null_assignments > 0) {
      metrics.push_back({fmt::format("moe{}.null_fraction", i),
                         ratio(static_cast<double>(layer.null_assignments),
                               static_cast<double>(layer.null_assignments + layer.assignments))});
    }
    metrics.push_back({fmt::format("moe{}.load_max_over_mean", i), load_max_over_mean(layer)});
    // The width histogram: share of the layer's computed assignments (shared ones
    // included) at each width m / d_ff that occurred.
    const double ran = static_cast<double>(layer.computed() + layer.shared_assignments);
    for (std::size_t m = 1; m < layer.width_histogram.size(); ++m) {
      if (layer.width_histogram[m] == 0) continue;
      metrics.push_back({fmt::format("moe{}.width_share.{:.3f}", i, static_cast<double>(m) / model.expert_d_ff()),
                         ratio(static_cast<double>(layer.width_histogram[m]), ran)});
    }
    for (std::size_t e = 0; e < layer.tokens_per_expert.size(); ++e) {
      metrics.push_back({fmt::format("moe{}.expert{}.share", i, e),
                         ratio(static_cast<double>(layer.tokens_per_expert[e]), static_cast<double>(layer.computed()))});
    }
  }
  metrics.push_back(
      {"dropped_fraction", ratio(static_cast<double>(all.dropped), static_cast<double>(all.assignments))});
  metrics.push_back({"mean_width", mean_width(all, model.expert_d_ff())});
  // Routed experts per token per MoE layer, averaged over layers.
  metrics.push_back({"experts_per_token", ratio(static_cast<double>(all.computed()), static_cast<double>(all.tokens))});
  if (std::isfinite(result.target_budget)) {
    metrics.push_back({"budget", result.target_budget});
    metrics.push_back({"budget_error", result.expert_budget / result.target_budget - 1});
    metrics.push_back({"budget_met", result.budget_note.empty() ? 1.0 : 0.0});
  }
  for (const core::TaskResult& task : result.tasks) {
    const std::string prefix = "task/" + task.name + "/";
    metrics.push_back({prefix + "acc", task.accuracy});
    if (!std::isnan(task.acc_norm)) metrics.push_back({prefix + "acc_norm", task.acc_norm});
    metrics.push_back({prefix + "items", static_cast<double>(task.items)});
    metrics.push_back({prefix + "expert_budget", task.expert_budget});
    metrics.push_back({prefix + "flops_per_token", task.flops.total()});
    metrics.push_back({prefix + "seconds", task.seconds});
    metrics.push_back({prefix + "tokens_per_s", task.tokens_per_s});
  }
  return metrics;
}

}  // namespace mose::study

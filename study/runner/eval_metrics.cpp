#include "study/runner/eval_metrics.h"
#include "study/analysis/metric_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mose::study::runner {
namespace {

double ratio(double num, double den) { return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN(); }

double mean_width(const core::spec::MoeLayerStats& s, int d_ff) {
  return ratio(static_cast<double>(s.hidden_units), static_cast<double>(s.computed() + s.shared_assignments) * d_ff);
}

double load_max_over_mean(const core::spec::MoeLayerStats& s) {
  if (s.tokens_per_expert.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto total = std::accumulate(s.tokens_per_expert.begin(), s.tokens_per_expert.end(), int64_t{0});
  const auto busiest = *std::max_element(s.tokens_per_expert.begin(), s.tokens_per_expert.end());
  return ratio(static_cast<double>(busiest),
               static_cast<double>(total) / static_cast<double>(s.tokens_per_expert.size()));
}

}  // namespace

std::vector<db::Metric> eval_metrics(const core::spec::LmEvalResult& result, const core::spec::ModelConfig& model) {
  std::vector<db::Metric> metrics{
      {analysis::kValLoss, result.lm_loss},
      {analysis::kPerplexity, result.perplexity},
      {analysis::kEvalTokens, static_cast<double>(result.tokens)},
      {analysis::kEvalSeconds, result.seconds},
      {analysis::kEvalTokensPerS, result.tokens_per_s},
      {analysis::kFlopsPerToken, result.flops.total()},
      {analysis::kExpertFlopsPerToken, result.flops.experts},
      {analysis::kTrainFlopsPerToken, result.flops.training()},
      {analysis::kExpertBudget, result.expert_budget},
  };
  core::spec::MoeLayerStats all;
  for (std::size_t i = 0; i < result.layers.size(); ++i) {
    const core::spec::MoeLayerStats& layer = result.layers[i];
    all.assignments += layer.assignments;
    all.dropped += layer.dropped;
    all.hidden_units += layer.hidden_units;
    all.shared_assignments += layer.shared_assignments;
    all.tokens += layer.tokens;
    metrics.push_back({analysis::layer_metric(i, analysis::kDroppedFraction),
                       ratio(static_cast<double>(layer.dropped), static_cast<double>(layer.assignments))});
    metrics.push_back({analysis::layer_metric(i, analysis::kMeanWidth), mean_width(layer, model.expert_d_ff())});
    metrics.push_back({analysis::layer_metric(i, analysis::kExpertsPerToken), layer.mean_experts_per_token()});
    metrics.push_back({analysis::layer_metric(i, analysis::kLayerDroppedTokensFraction),
                       ratio(static_cast<double>(layer.tokens_without_expert), static_cast<double>(layer.tokens))});
    if (layer.null_assignments > 0) {
      metrics.push_back({analysis::layer_metric(i, analysis::kLayerNullFraction),
                         ratio(static_cast<double>(layer.null_assignments),
                               static_cast<double>(layer.null_assignments + layer.assignments))});
    }
    metrics.push_back({analysis::layer_metric(i, analysis::kLayerLoadMaxOverMean), load_max_over_mean(layer)});
    // The width histogram: share of the layer's computed assignments (shared ones
    // included) at each width m / d_ff that occurred.
    const double ran = static_cast<double>(layer.computed() + layer.shared_assignments);
    for (std::size_t m = 1; m < layer.width_histogram.size(); ++m) {
      if (layer.width_histogram[m] == 0) continue;
      metrics.push_back(
          {analysis::layer_metric(i, fmt::format("width_share.{:.3f}", static_cast<double>(m) / model.expert_d_ff())),
           ratio(static_cast<double>(layer.width_histogram[m]), ran)});
    }
    for (std::size_t e = 0; e < layer.tokens_per_expert.size(); ++e) {
      metrics.push_back(
          {analysis::layer_metric(i, fmt::format("expert{}.share", e)),
           ratio(static_cast<double>(layer.tokens_per_expert[e]), static_cast<double>(layer.computed()))});
    }
  }
  metrics.push_back(
      {analysis::kDroppedFraction, ratio(static_cast<double>(all.dropped), static_cast<double>(all.assignments))});
  metrics.push_back({analysis::kMeanWidth, mean_width(all, model.expert_d_ff())});
  // Routed experts per token per MoE layer, averaged over layers.
  metrics.push_back(
      {analysis::kExpertsPerToken, ratio(static_cast<double>(all.computed()), static_cast<double>(all.tokens))});
  if (std::isfinite(result.target_budget)) {
    metrics.push_back({analysis::kBudget, result.target_budget});
    metrics.push_back({analysis::kBudgetError, result.expert_budget / result.target_budget - 1});
    metrics.push_back({analysis::kBudgetMet, result.budget_note.empty() ? 1.0 : 0.0});
  }
  for (const core::spec::TaskResult& task : result.tasks) {
    const auto metric = [&task](const char* name) { return analysis::task_metric(task.name, name); };
    metrics.push_back({metric(analysis::kTaskAcc), task.accuracy});
    if (!std::isnan(task.acc_norm)) metrics.push_back({metric(analysis::kTaskAccNorm), task.acc_norm});
    metrics.push_back({metric(analysis::kTaskItems), static_cast<double>(task.items)});
    metrics.push_back({metric(analysis::kExpertBudget), task.expert_budget});
    metrics.push_back({metric(analysis::kFlopsPerToken), task.flops.total()});
    metrics.push_back({metric(analysis::kTaskSeconds), task.seconds});
    metrics.push_back({metric(analysis::kTaskTokensPerS), task.tokens_per_s});
  }
  return metrics;
}

}  // namespace mose::study::runner

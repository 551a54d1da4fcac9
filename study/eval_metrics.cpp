#include "study/eval_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace mose::study {
namespace {

double ratio(double num, double den) { return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN(); }

double mean_width(const core::MoeLayerStats& s, int d_ff) {
  return ratio(static_cast<double>(s.hidden_units), static_cast<double>(s.assignments - s.dropped) * d_ff);
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
    metrics.push_back({fmt::format("moe{}.dropped_fraction", i),
                       ratio(static_cast<double>(layer.dropped), static_cast<double>(layer.assignments))});
    metrics.push_back({fmt::format("moe{}.mean_width", i), mean_width(layer, model.d_ff)});
    metrics.push_back({fmt::format("moe{}.load_max_over_mean", i), load_max_over_mean(layer)});
  }
  metrics.push_back(
      {"dropped_fraction", ratio(static_cast<double>(all.dropped), static_cast<double>(all.assignments))});
  metrics.push_back({"mean_width", mean_width(all, model.d_ff)});
  return metrics;
}

}  // namespace mose::study

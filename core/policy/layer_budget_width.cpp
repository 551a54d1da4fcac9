// Greedy per-layer width allocation under a global expert budget (see layer_budget_width.h).
#include "core/policy/layer_budget_width.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/errors.h"
#include "core/eval/evaluate.h"
#include "core/model/width_chooser.h"
#include "core/policy/width_policies.h"
#include "core/spec/width_policy.h"

namespace mose::core::policy {
namespace {

// The smallest grid width above w, capped at the grid's widest.
double next_grid_width(double w, const std::vector<double>& grid) {
  for (double g : grid) {
    if (g > w + 1e-12) return g;
  }
  return grid.back();
}

// Widths in whole hidden units (as the model runs them: m = round(w * d_ff)) spending
// `target` width-units as closely as whole units allow: every w_l rounded down, then one
// unit more for layers in order of the largest part rounded off, while that brings
// sum_l a_l w_l closer to the target. Misses by at most half a unit of one layer.
std::vector<double> whole_units(const std::vector<double>& widths, const std::vector<double>& computed, double target,
                                int64_t d_ff) {
  const double unit = 1.0 / static_cast<double>(d_ff);
  std::vector<double> out(widths.size());
  std::vector<std::pair<double, size_t>> rounded_off;
  double spent = 0;
  for (size_t l = 0; l < widths.size(); ++l) {
    out[l] = std::max(unit, std::floor(widths[l] * static_cast<double>(d_ff) + 1e-9) * unit);
    spent += computed[l] * out[l];
    rounded_off.emplace_back(widths[l] - out[l], l);
  }
  std::stable_sort(rounded_off.begin(), rounded_off.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [part, l] : rounded_off) {
    if (out[l] + unit > 1.0 + 1e-12) continue;
    if (std::abs(target - spent - computed[l] * unit) >= std::abs(target - spent)) continue;
    out[l] += unit;
    spent += computed[l] * unit;
  }
  return out;
}

}  // namespace

LayerBudgetWidth::LayerBudgetWidth(double budget, std::vector<double> widths)
    : model::PerLayerWidth(widths), budget_(budget), widths_(std::move(widths)) {}

std::string LayerBudgetWidth::describe() const {
  return fmt::format("layer_budget(B={}, widths={})", budget_, widths_);
}

LayerBudgetFit fit_layer_budget(model::LanguageModel& model, const at::Tensor& windows, double budget,
                                const std::vector<double>& grid, int batch_size) {
  spec::validate_width_grid(grid);
  if (!(budget >= grid.front() && budget <= grid.back())) {
    throw ConfigError(fmt::format("policy.budget = {}: expected a budget in the grid's range {}", budget, grid));
  }
  const size_t layers = model.moe_layers().size();
  LayerBudgetFit fit;
  auto loss_at = [&](const std::vector<double>& widths) {
    ++fit.evaluations;
    return eval::evaluate_lm(model, windows, model::PerLayerWidth(widths), batch_size);
  };

  // Uniform B: the reference, and the per-layer computed assignments a_l.
  const spec::LmEvalResult uniform = loss_at(std::vector<double>(layers, budget));
  fit.uniform_loss = uniform.lm_loss;
  std::vector<double> computed(layers);
  double routed = 0;
  for (size_t l = 0; l < layers; ++l) {
    computed[l] = static_cast<double>(uniform.layers[l].computed() + uniform.layers[l].shared_assignments);
    routed += computed[l];
  }
  const double target = budget * routed;

  std::vector<double> widths(layers, grid.front());
  double spent = 0;
  for (size_t l = 0; l < layers; ++l) spent += computed[l] * widths[l];
  double loss = loss_at(widths).lm_loss;
  while (target - spent > 1e-9 * routed) {
    size_t best_layer = layers;
    double best_gain = -std::numeric_limits<double>::infinity(), best_delta = 0, best_loss = 0;
    for (size_t l = 0; l < layers; ++l) {
      if (computed[l] <= 0) continue;
      const double delta = std::min(next_grid_width(widths[l], grid) - widths[l], (target - spent) / computed[l]);
      if (delta <= 0) continue;
      std::vector<double> trial = widths;
      trial[l] += delta;
      const double trial_loss = loss_at(trial).lm_loss;
      const double gain = (loss - trial_loss) / (computed[l] * delta);
      if (gain > best_gain) best_layer = l, best_gain = gain, best_delta = delta, best_loss = trial_loss;
    }
    if (best_layer == layers) break;  // every layer at the grid's widest: budget above what it can spend
    widths[best_layer] += best_delta;
    spent += computed[best_layer] * best_delta;
    loss = best_loss;
  }
  const int64_t d_ff = model.config().expert_d_ff();
  if (loss <= fit.uniform_loss) {
    fit.widths = whole_units(widths, computed, target, d_ff);
    fit.loss = loss;
  } else {
    fit.widths = whole_units(std::vector<double>(layers, budget), computed, target, d_ff);
    fit.loss = fit.uniform_loss;
    fit.greedy = false;
  }
  return fit;
}

namespace {

std::unique_ptr<model::WidthChooser> make_layer_budget(const spec::WidthPolicySpec& spec, model::LanguageModel& model,
                                                       const at::Tensor& calibration, int batch_size) {
  LayerBudgetFit fit = fit_layer_budget(model, calibration, spec.budget, spec.grid, batch_size);
  return std::make_unique<LayerBudgetWidth>(spec.budget, std::move(fit.widths));
}

const spec::Registration<WidthPolicyFactory> kRegistered(width_policy_factories(), {"layer_budget", make_layer_budget});

}  // namespace

}  // namespace mose::core::policy

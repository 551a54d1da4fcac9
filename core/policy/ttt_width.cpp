// Test-time-trained width mapping: raw widths, snapping, scale and gamma fits.
#include "core/policy/ttt_width.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "base/errors.h"
#include "core/eval/evaluate.h"
#include "core/eval/stop_poll.h"
#include "core/model/forward_context.h"
#include "core/policy/threshold_width.h"
#include "core/policy/width_policies.h"
#include "core/spec/policy_ttt.h"

namespace mose::core::policy {
namespace {

// Mean snapped width over the valid assignments.
double mean_width(const at::Tensor& p, const at::Tensor& valid, double budget, const TttLayer& layer,
                  const std::vector<double>& grid) {
  const at::Tensor w = snap_to_grid(ttt_raw_widths(p, valid, budget, layer, grid.front()), grid);
  return (w * valid).sum().item<double>() / std::max<double>(1.0, valid.sum().item<double>());
}

}  // namespace

at::Tensor ttt_raw_widths(const at::Tensor& p, const at::Tensor& valid, double budget, const TttLayer& layer,
                          double min_width) {
  TORCH_CHECK(p.dim() == 2 && valid.sizes() == p.sizes(), "ttt_raw_widths: expected p and valid both [T, k]");
  const at::Tensor v = valid.to(at::kDouble);
  const at::Tensor powered = p.to(at::kDouble).clamp_min(0).pow(layer.gamma) * v;  // 0^0 = 1
  const at::Tensor total = powered.sum(1, /*keepdim=*/true).clamp_min(std::numeric_limits<double>::min());
  const at::Tensor k = v.sum(1, /*keepdim=*/true);
  const at::Tensor raw = (layer.scale * budget) * k * powered / total;
  return at::where(valid, raw.clamp(min_width, 1.0), at::full_like(raw, min_width));
}

at::Tensor snap_to_grid(const at::Tensor& widths, const std::vector<double>& grid) {
  const at::Tensor g = at::tensor(grid, widths.options().dtype(at::kDouble));
  const at::Tensor distance = (widths.to(at::kDouble).unsqueeze(-1) - g).abs();
  return g.index({distance.argmin(-1)});  // argmin keeps the first (narrower) of ties
}

ScaleFit fit_ttt_scale(const at::Tensor& p, const at::Tensor& valid, double budget, double gamma,
                       const std::vector<double>& grid) {
  spec::validate_width_grid(grid);
  double lo = std::log(1e-3), hi = std::log(1e6);
  double mean_lo = mean_width(p, valid, budget, {gamma, std::exp(lo)}, grid);
  double mean_hi = mean_width(p, valid, budget, {gamma, std::exp(hi)}, grid);
  for (int i = 0; i < 60 && mean_lo < budget && mean_hi > budget; ++i) {
    const double mid = 0.5 * (lo + hi);
    const double mean_mid = mean_width(p, valid, budget, {gamma, std::exp(mid)}, grid);
    if (mean_mid < budget) {
      lo = mid, mean_lo = mean_mid;
    } else {
      hi = mid, mean_hi = mean_mid;
    }
  }
  if (std::abs(mean_lo - budget) < std::abs(mean_hi - budget)) return {std::exp(lo), mean_lo};
  return {std::exp(hi), mean_hi};
}

TttWidth::TttWidth(double budget, std::vector<double> grid, std::vector<TttLayer> layers)
    : budget_(budget), grid_(std::move(grid)), layers_(std::move(layers)) {
  spec::validate_width_grid(grid_);
  if (!(budget_ > 0 && budget_ <= 1)) throw ConfigError(fmt::format("policy.budget = {}: expected (0, 1]", budget_));
  if (layers_.empty()) throw ConfigError("ttt width: no layers");
  for (const TttLayer& l : layers_) {
    if (!(l.gamma >= 0) || !(l.scale > 0)) {
      throw ConfigError(
          fmt::format("ttt width: gamma = {}, scale = {}: expected gamma >= 0, scale > 0", l.gamma, l.scale));
    }
  }
}

const TttLayer& TttWidth::layer(int moe_layer) const {
  if (layers_.size() == 1) return layers_.front();
  TORCH_CHECK(moe_layer >= 0 && static_cast<size_t>(moe_layer) < layers_.size(), "TttWidth: MoE layer ", moe_layer,
              " has no parameters (", layers_.size(), " given)");
  return layers_[static_cast<size_t>(moe_layer)];
}

at::Tensor TttWidth::raw_widths(int moe_layer, const model::RoutingDecision& routing) const {
  return ttt_raw_widths(assignment_probs(routing), routing.expert_index >= 0, budget_, layer(moe_layer), grid_.front());
}

at::Tensor TttWidth::hidden_units(int moe_layer, const model::RoutingDecision& routing, int64_t d_ff) const {
  const at::Tensor w = snap_to_grid(raw_widths(moe_layer, routing), grid_);
  return (w * static_cast<double>(d_ff)).round().clamp(1, static_cast<double>(d_ff)).to(at::kLong);
}

std::string TttWidth::describe() const {
  std::vector<double> gammas, scales;
  for (const TttLayer& l : layers_) {
    gammas.push_back(l.gamma);
    scales.push_back(l.scale);
  }
  return fmt::format("ttt(B={}, gamma={}, scale={})", budget_, gammas, scales);
}

std::vector<model::RoutingDecision> collect_routing(model::LanguageModel& model, const at::Tensor& windows,
                                                    const model::WidthChooser& widths, int batch_size) {
  TORCH_CHECK(windows.dim() == 2 && windows.size(1) >= 2, "collect_routing: windows must be [N, seq_len + 1]");
  c10::AutoGradMode no_grad(false);
  const bool was_training = model.is_training();
  model.eval();
  const c10::Device device = model.parameters().front().device();
  const int64_t n = windows.size(0), seq_len = windows.size(1) - 1;
  std::vector<std::vector<at::Tensor>> probs, index;
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    eval::throw_if_stop_requested();
    at::Tensor batch = windows.narrow(0, begin, std::min<int64_t>(batch_size, n - begin)).to(device);
    model::ForwardContext context;
    context.widths = &widths;
    context.keep_routing = true;
    model::ForwardResult out = model.forward(batch.narrow(1, 0, seq_len), context);
    probs.resize(out.router_probs.size());
    index.resize(out.expert_index.size());
    for (size_t l = 0; l < out.router_probs.size(); ++l) {
      probs[l].push_back(out.router_probs[l].to(at::kFloat).cpu());
      index[l].push_back(out.expert_index[l].cpu());
    }
  }
  if (was_training) model.train();
  std::vector<model::RoutingDecision> routing(probs.size());
  for (size_t l = 0; l < probs.size(); ++l) {
    routing[l].probs = at::cat(probs[l]);
    routing[l].expert_index = at::cat(index[l]);
  }
  return routing;
}

std::vector<TttLayer> calibrate_ttt(const std::vector<model::RoutingDecision>& routing, double budget, double gamma,
                                    const std::vector<double>& grid) {
  std::vector<TttLayer> layers;
  for (const model::RoutingDecision& r : routing) {
    layers.push_back({gamma, fit_ttt_scale(assignment_probs(r), r.expert_index >= 0, budget, gamma, grid).scale});
  }
  return layers;
}

std::vector<TttLayer> refit_ttt_scales(model::LanguageModel& model, const at::Tensor& windows, double budget,
                                       const std::vector<double>& grid, std::vector<TttLayer> layers, int batch_size) {
  for (size_t pass = 1; pass < layers.size(); ++pass) {
    const TttWidth widths(budget, grid, layers);
    const std::vector<model::RoutingDecision> routing = collect_routing(model, windows, widths, batch_size);
    for (size_t l = 0; l < layers.size(); ++l) {
      const model::RoutingDecision& r = routing[l];
      layers[l].scale = fit_ttt_scale(assignment_probs(r), r.expert_index >= 0, budget, layers[l].gamma, grid).scale;
    }
  }
  return layers;
}

double ttt_calibration_loss(model::LanguageModel& model, const at::Tensor& windows,
                            const std::vector<model::RoutingDecision>& routing, double budget, double gamma,
                            const std::vector<double>& grid, int batch_size) {
  const TttWidth widths(budget, grid, calibrate_ttt(routing, budget, gamma, grid));
  return eval::evaluate_lm(model, windows, widths, batch_size).lm_loss;
}

namespace {

// Loss at gamma, or +inf when some layer's scale fit misses B by more than 1%.
double gamma_objective(model::LanguageModel& model, const at::Tensor& windows,
                       const std::vector<model::RoutingDecision>& routing, double budget, double gamma,
                       const std::vector<double>& grid, int batch_size) {
  for (const model::RoutingDecision& r : routing) {
    const ScaleFit fit = fit_ttt_scale(assignment_probs(r), r.expert_index >= 0, budget, gamma, grid);
    if (std::abs(fit.mean_width - budget) > spec::kBudgetTolerance * budget)
      return std::numeric_limits<double>::infinity();
  }
  return ttt_calibration_loss(model, windows, routing, budget, gamma, grid, batch_size);
}

}  // namespace

GammaFit fit_gamma(model::LanguageModel& model, const at::Tensor& windows, double budget,
                   const std::vector<double>& grid, int batch_size) {
  spec::validate_width_grid(grid);
  const std::vector<model::RoutingDecision> routing =
      collect_routing(model, windows, model::UniformWidth(budget), batch_size);
  GammaFit best;
  best.loss = std::numeric_limits<double>::infinity();
  auto consider = [&](double gamma) {
    const double loss = gamma_objective(model, windows, routing, budget, gamma, grid, batch_size);
    ++best.evaluations;
    if (loss < best.loss) best.gamma = gamma, best.loss = loss;
    return loss;
  };
  for (int i = 0; i <= 12; ++i) consider(0.25 * i);
  if (!std::isfinite(best.loss)) {
    throw ConfigError(
        fmt::format("ttt: no gamma in [0, 3] meets budget {} within 1% on the calibration split", budget));
  }
  // Golden-section search on [best - 0.25, best + 0.25]; `consider` keeps the best seen.
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double a = std::max(0.0, best.gamma - 0.25), b = best.gamma + 0.25;
  double c = b - phi * (b - a), d = a + phi * (b - a);
  double fc = consider(c), fd = consider(d);
  for (int i = 0; i < 6; ++i) {
    if (fc < fd) {
      b = d, d = c, fd = fc, c = b - phi * (b - a), fc = consider(c);
    } else {
      a = c, c = d, fc = fd, d = a + phi * (b - a), fd = consider(d);
    }
  }
  best.layers =
      refit_ttt_scales(model, windows, budget, grid, calibrate_ttt(routing, budget, best.gamma, grid), batch_size);
  return best;
}

namespace {

// gamma fixed (scales fitted) or fitted by fit_gamma; scales refitted at the ttt widths.
std::unique_ptr<model::WidthChooser> make_ttt(const spec::WidthPolicySpec& spec, model::LanguageModel& model,
                                              const at::Tensor& calibration, int batch_size) {
  if (const std::optional<double> gamma = spec::ttt_gamma(spec)) {
    const auto routing = collect_routing(model, calibration, model::UniformWidth(spec.budget), batch_size);
    std::vector<TttLayer> layers = refit_ttt_scales(model, calibration, spec.budget, spec.grid,
                                                    calibrate_ttt(routing, spec.budget, *gamma, spec.grid), batch_size);
    return std::make_unique<TttWidth>(spec.budget, spec.grid, std::move(layers));
  }
  GammaFit fit = fit_gamma(model, calibration, spec.budget, spec.grid, batch_size);
  return std::make_unique<TttWidth>(spec.budget, spec.grid, std::move(fit.layers));
}

const spec::Registration<WidthPolicyFactory> kRegistered(width_policy_factories(), {"ttt", make_ttt});

}  // namespace

}  // namespace mose::core::policy

// Test-time-trained width mapping under a budget ("ttt"). For token t and selected expert
// e (k_t assignments computed for t, router probabilities p):
//   raw(t, e) = clip(s * B * k_t * p_e^gamma / sum_{j selected} p_j^gamma, w_min, 1)
//   width(t, e) = the grid width nearest to raw(t, e).
// Before clipping and snapping the mean over a token's assignments is s * B, so s = 1
// spends exactly the budget B (and gamma = 0 is uniform B). Clipping and snapping move
// the mean, so the scale s is fitted per MoE layer on calibration routing by bisection
// on log s until the calibration mean width is B (fit_ttt_scale). gamma (global) is
// fitted by a 1-D search minimising calibration LM loss with frozen weights (fit_gamma).
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "core/model/language_model.h"
#include "core/model/width_chooser.h"

namespace mose::core::policy {

struct TttLayer {
  double gamma = 1.0;
  double scale = 1.0;  // s: budget correction after clipping and snapping
};

// p: [T, k] probabilities of the selected experts, valid: [T, k] bool (assignment
// computed). -> [T, k] float64 raw widths (w_min where not valid), before snapping.
at::Tensor ttt_raw_widths(const at::Tensor& p, const at::Tensor& valid, double budget, const TttLayer& layer,
                          double min_width);

// Nearest grid width of each element (ties to the narrower one). -> float64, same shape.
at::Tensor snap_to_grid(const at::Tensor& widths, const std::vector<double>& grid);

struct ScaleFit {
  double scale = 1.0;
  double mean_width = 0;  // achieved on the calibration assignments
};

// Bisection on log s in [1e-3, 1e6] (60 steps) for the calibration mean of the snapped
// widths to equal B; the mean is non-decreasing in s. Returns the bracket end whose mean
// is closer to B. With continuous p and many assignments this is within 1% of B for
// gamma > 0; with gamma = 0 every raw width is equal, so only budgets on the grid are hit.
ScaleFit fit_ttt_scale(const at::Tensor& p, const at::Tensor& valid, double budget, double gamma,
                       const std::vector<double>& grid);

class TttWidth : public model::WidthChooser {
 public:
  // layers: one per MoE layer, or one shared by all. grid: strictly increasing in (0, 1];
  // w_min = grid.front().
  TttWidth(double budget, std::vector<double> grid, std::vector<TttLayer> layers);
  at::Tensor hidden_units(int moe_layer, const model::RoutingDecision& routing, int64_t d_ff) const override;
  std::string describe() const override;
  // [T, k] float64 widths before snapping.
  at::Tensor raw_widths(int moe_layer, const model::RoutingDecision& routing) const;
  const TttLayer& layer(int moe_layer) const;

 private:
  double budget_;
  std::vector<double> grid_;
  std::vector<TttLayer> layers_;
};

// The routing of every MoE layer over `windows` ([N, seq_len + 1]) under `widths`,
// concatenated over batches: probs [N * seq_len, E], expert_index [N * seq_len, k].
std::vector<model::RoutingDecision> collect_routing(model::LanguageModel& model, const at::Tensor& windows,
                                                    const model::WidthChooser& widths, int batch_size);

// Per-layer scales for one gamma, fitted on `routing` (from collect_routing).
std::vector<TttLayer> calibrate_ttt(const std::vector<model::RoutingDecision>& routing, double budget, double gamma,
                                    const std::vector<double>& grid);

// Budget honesty across layers: the routing of MoE layer l depends on the widths of the
// layers before it, so scales fitted on routing collected at uniform width B miss B once
// the earlier layers run at their ttt widths (0.737 for B = 0.75 on a standard MoE).
// This refits every layer's scale (gamma kept) on the routing the windows get under
// TttWidth(budget, grid, layers) itself, L - 1 times: layer 0's routing never changes,
// and after refit i layers 0..i see exactly the routing they were fitted on, so the
// calibration mean width of every layer is B to within the bisection's precision.
std::vector<TttLayer> refit_ttt_scales(model::LanguageModel& model, const at::Tensor& windows, double budget,
                                       const std::vector<double>& grid, std::vector<TttLayer> layers, int batch_size);

struct GammaFit {
  double gamma = 1.0;
  double loss = 0;               // calibration LM loss at gamma
  std::vector<TttLayer> layers;  // fitted scales at gamma
  int evaluations = 0;
};

// Calibration LM loss of TttWidth(budget, grid, calibrate_ttt(routing, ..., gamma)).
double ttt_calibration_loss(model::LanguageModel& model, const at::Tensor& windows,
                            const std::vector<model::RoutingDecision>& routing, double budget, double gamma,
                            const std::vector<double>& grid, int batch_size);

// gamma minimising calibration LM loss: the grid {0, 0.25, ..., 3}, then golden-section
// refinement (8 steps) on [best - 0.25, best + 0.25] clamped to >= 0. The routing used
// for the scale fits while searching is collected once at uniform width B; the scales
// returned for the best gamma are then refitted by refit_ttt_scales. Weights are frozen.
GammaFit fit_gamma(model::LanguageModel& model, const at::Tensor& windows, double budget,
                   const std::vector<double>& grid, int batch_size);

}  // namespace mose::core::policy

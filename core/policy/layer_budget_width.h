// Per-layer width budgets ("layer_budget", beyond the paper): one width w_l per MoE layer,
// chosen to minimise calibration LM loss under the global expert budget B.
//
// Budget: with a_l the assignments layer l computes (achieved_width_budget in
// core/spec/flops.h) and A = sum_l a_l, the expert budget is
//   sum_l a_l w_l / A,   so the allocation must spend S = B * A width-units.
// a_l is measured once, at uniform width B (routing that depends on widths, such as
// variable-k routers, may compute slightly different counts at the final widths).
// Greedy marginal allocation: start every layer at the grid's narrowest width; while
// budget remains, try raising each layer by one grid step (or by the remaining budget
// R / a_l when that is smaller) and keep the raise with the largest calibration-loss drop
// per width-unit spent, (loss - loss') / (a_l * delta). The last raise is usually a
// fraction of a step, so the allocation spends S exactly; the widths returned are then
// whole hidden units (rounded down, then one unit more where that brings the spend
// closer to S), so the budget is met to within half a unit of one layer:
// 0.5 / (d_ff * L * B) relative for equal a_l (0.4% for d_ff = 256, L = 2, B = 0.25).
// Cost: about L * (B - w_min) / step calibration evaluations (20 for 2 layers, B = 0.75
// on the default grid). Greedy allocation can miss the joint optimum, so the fit also
// evaluates uniform width B and keeps whichever has the lower calibration loss.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "core/model/language_model.h"
#include "core/model/width_chooser.h"

namespace mose::core::policy {

struct LayerBudgetFit {
  std::vector<double> widths;  // one per MoE layer
  double loss = 0;             // calibration LM loss of the greedy widths (before whole units)
  double uniform_loss = 0;     // calibration LM loss at uniform width B
  bool greedy = true;          // false: uniform B was better and is returned
  int evaluations = 0;
};

// The fitted allocation as a width chooser (model::PerLayerWidth that names its budget).
class LayerBudgetWidth : public model::PerLayerWidth {
 public:
  LayerBudgetWidth(double budget, std::vector<double> widths);
  std::string describe() const override;

 private:
  double budget_;
  std::vector<double> widths_;
};

// windows: [N, seq_len + 1] calibration windows. The model is run, never trained.
// grid: strictly increasing in (0, 1]; budget in [grid.front(), grid.back()].
LayerBudgetFit fit_layer_budget(model::LanguageModel& model, const at::Tensor& windows, double budget,
                                const std::vector<double>& grid, int batch_size);

}  // namespace mose::core::policy

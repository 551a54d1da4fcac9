// Confidence-threshold width policy: the router probability p of an assignment's expert
// picks its width through ordered thresholds, higher confidence -> wider expert.
// With thresholds t_1 < ... < t_{n-1} and widths w_1 < ... < w_n (t_0 = -inf, t_n = +inf):
//   width(p) = w_i  for  t_{i-1} <= p < t_i.
// Thresholds are calibrated per MoE layer on calibration-split routing so that the mean
// width of the assignments equals a budget B (calibrate_thresholds).
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "core/model/width_chooser.h"

namespace mose::core::policy {

struct ThresholdSchedule {
  std::vector<double> thresholds;  // n - 1, strictly increasing
  std::vector<double> widths;      // n, strictly increasing, each in (0, 1]
  void validate() const;           // ConfigError on a malformed schedule
  double width_of(double p) const;
};

// Probability of each assignment's expert: probs.gather(1, expert_index.clamp_min(0)).
// routing.probs: [T, E], routing.expert_index: [T, k] -> [T, k] (dropped entries hold the
// probability of expert 0; mask them with expert_index >= 0).
at::Tensor assignment_probs(const model::RoutingDecision& routing);

// Two-level calibration. probs: [N] probabilities of the calibration assignments (any
// shape, dropped ones removed). With lo = the largest grid width <= B and hi = the
// smallest >= B, a fraction q = (B - lo) / (hi - lo) of assignments runs at hi, the rest
// at lo, so the mean width is lo + q (hi - lo) = B. The threshold is the (1 - q) quantile
// of the calibration probabilities: exactly round(q N) assignments (the most confident)
// have p >= t, so the calibration mean is B to within (hi - lo) / (2N) (ties in p aside).
// A budget on the grid gives one width and no thresholds. Throws ConfigError when B is
// outside [grid.front(), grid.back()].
ThresholdSchedule calibrate_thresholds(const at::Tensor& probs, const std::vector<double>& grid, double budget);

class ThresholdWidth : public model::WidthChooser {
 public:
  // One schedule per MoE layer, or a single one shared by every layer.
  explicit ThresholdWidth(std::vector<ThresholdSchedule> schedules);
  at::Tensor hidden_units(int moe_layer, const model::RoutingDecision& routing, int64_t d_ff) const override;
  std::string describe() const override;
  const ThresholdSchedule& schedule(int moe_layer) const;

 private:
  std::vector<ThresholdSchedule> schedules_;
};

}  // namespace mose::core::policy

// The plain description of an inference width policy, as study/ and app/ pass it to the
// engine. Torch-free. Policies are built from it by name in width_policies.h.
//   uniform:   every selected expert at `width`.
//   threshold: router confidence -> width through thresholds calibrated so the mean width
//              is `budget` (threshold_width.h).
//   ttt:       w = clip(s * budget * k * p^gamma / sum_j p_j^gamma, grid.front(), 1) snapped
//              to `grid`; gamma fitted on calibration windows unless given (ttt_width.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mose::core {

struct WidthPolicySpec {
  std::string name = "uniform";
  double width = 1.0;                   // uniform
  double budget = 1.0;                  // threshold, ttt: target mean width of the assignments
  std::optional<double> gamma = {};     // ttt: fixed exponent; absent = fitted on calibration windows
  std::vector<double> grid = {0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0};  // threshold, ttt
  void validate() const;                // ConfigError naming the field at fault
};

}  // namespace mose::core

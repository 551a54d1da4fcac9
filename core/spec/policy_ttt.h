// Width policy "ttt": w = clip(s * B * k * p^gamma / sum_j p_j^gamma, grid.front(), 1)
// snapped to the grid, the scales s fitted so the budget B is met and gamma fitted on
// calibration windows unless the spec fixes it (core/policy/ttt_width.h).
#pragma once

#include <optional>

#include "core/spec/width_policy.h"

namespace mose::core::spec {

// The exponent a ttt spec fixes (option "gamma"), or nullopt: fitted on calibration.
std::optional<double> ttt_gamma(const WidthPolicySpec& spec);

}  // namespace mose::core::spec

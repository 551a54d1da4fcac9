// The plain description of an inference width policy, as study/ and app/ pass it to the
// engine. Torch-free (compiled into mose_core_config, so recipe parsing validates specs
// without LibTorch). Policies are built from it by name in width_policies.h.
//   uniform:      every selected expert at `width`.
//   uniform_k:    uniform at `width` with `experts_per_token` = k experts per token: the
//                 inference k of a random_k model (Matryoshka MoE), a second compute axis.
//   threshold:    router confidence -> width through thresholds calibrated so the mean width
//                 is `budget` (threshold_width.h).
//   ttt:          w = clip(s * budget * k * p^gamma / sum_j p_j^gamma, grid.front(), 1) snapped
//                 to `grid`; gamma fitted on calibration windows unless given (ttt_width.h).
//   layer_budget: one width per MoE layer, allocated greedily by calibration-loss gain per
//                 expert FLOP under the global budget (layer_budget_width.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mose::core {

struct WidthPolicySpec {
  std::string name = "uniform";
  double width = 1.0;                   // uniform
  double budget = 1.0;                  // threshold, ttt, layer_budget: target mean width of the assignments
  std::optional<double> gamma = {};     // ttt: fixed exponent; absent = fitted on calibration windows
  std::vector<double> grid = {0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0};  // threshold, ttt, layer_budget
  int experts_per_token = 0;            // inference k (random_k routers); 0 = the model's router.top_k
  void validate() const;                // ConfigError naming the field at fault

  // The expert budget the policy aims at: `width` for uniform(_k), `budget` otherwise.
  double target_budget() const { return is_uniform() ? width : budget; }
  bool is_uniform() const { return name == "uniform" || name == "uniform_k"; }
};

// ConfigError "policy.grid = [...]: expected strictly increasing widths in (0, 1]" unless
// `grid` is one (shared by WidthPolicySpec::validate and the policies' constructors).
void validate_width_grid(const std::vector<double>& grid);

// Every policy name the engine's registry builds, in registry order.
const std::vector<std::string>& width_policy_names();

// Relative tolerance of every budgeted policy: the achieved expert budget on the
// evaluation data must lie within target * (1 +- kBudgetTolerance).
inline constexpr double kBudgetTolerance = 0.01;

}  // namespace mose::core

// Confidence-threshold width policy and its two-level budget calibration.
#include "core/policy/threshold_width.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/errors.h"
#include "core/policy/ttt_width.h"
#include "core/policy/width_policies.h"

namespace mose::core::policy {
namespace {

bool strictly_increasing(const std::vector<double>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](double a, double b) { return !(a < b); }) == v.end();
}

}  // namespace

void ThresholdSchedule::validate() const {
  if (widths.empty() || thresholds.size() + 1 != widths.size()) {
    throw ConfigError(fmt::format("threshold schedule: {} thresholds for {} widths; expected one fewer threshold",
                                  thresholds.size(), widths.size()));
  }
  if (!strictly_increasing(widths) || widths.front() <= 0 || widths.back() > 1) {
    throw ConfigError(
        fmt::format("threshold schedule widths {}: expected strictly increasing widths in (0, 1]", widths));
  }
  if (!strictly_increasing(thresholds)) {
    throw ConfigError(fmt::format("threshold schedule thresholds {}: expected strictly increasing", thresholds));
  }
}

double ThresholdSchedule::width_of(double p) const {
  const auto it = std::upper_bound(thresholds.begin(), thresholds.end(), p);  // first t_i > p
  return widths[static_cast<size_t>(it - thresholds.begin())];
}

at::Tensor assignment_probs(const model::RoutingDecision& routing) {
  TORCH_CHECK(routing.probs.dim() == 2 && routing.expert_index.dim() == 2 &&
                  routing.probs.size(0) == routing.expert_index.size(0),
              "assignment_probs: expected probs [T, E] and expert_index [T, k]");
  return routing.probs.gather(1, routing.expert_index.clamp_min(0));
}

ThresholdSchedule calibrate_thresholds(const at::Tensor& probs, const std::vector<double>& grid, double budget) {
  TORCH_CHECK(probs.numel() > 0, "calibrate_thresholds: no calibration assignments");
  if (grid.empty() || !strictly_increasing(grid)) {
    throw ConfigError(fmt::format("policy.grid = {}: expected strictly increasing widths", grid));
  }
  if (!(budget >= grid.front() - 1e-12 && budget <= grid.back() + 1e-12)) {
    throw ConfigError(fmt::format("policy.budget = {}: expected a budget within the grid [{}, {}]", budget,
                                  grid.front(), grid.back()));
  }
  const auto hi_it = std::lower_bound(grid.begin(), grid.end(), budget - 1e-12);
  if (std::abs(*hi_it - budget) <= 1e-12) return ThresholdSchedule{{}, {*hi_it}};
  const double hi = *hi_it, lo = *(hi_it - 1);
  const double q = (budget - lo) / (hi - lo);
  at::Tensor sorted = std::get<0>(probs.reshape({-1}).to(at::kDouble).cpu().sort());
  const int64_t n = sorted.numel();
  const auto n_hi = static_cast<int64_t>(std::llround(q * static_cast<double>(n)));
  const double* p = sorted.data_ptr<double>();
  double t = 0;
  if (n_hi == 0) {
    t = std::nextafter(p[n - 1], std::numeric_limits<double>::infinity());
  } else {
    t = p[n - n_hi];  // the n_hi most confident assignments have p >= t
  }
  return ThresholdSchedule{{t}, {lo, hi}};
}

ThresholdWidth::ThresholdWidth(std::vector<ThresholdSchedule> schedules) : schedules_(std::move(schedules)) {
  if (schedules_.empty()) throw ConfigError("threshold width: no schedules");
  for (const auto& s : schedules_) s.validate();
}

const ThresholdSchedule& ThresholdWidth::schedule(int moe_layer) const {
  if (schedules_.size() == 1) return schedules_.front();
  TORCH_CHECK(moe_layer >= 0 && static_cast<size_t>(moe_layer) < schedules_.size(), "ThresholdWidth: MoE layer ",
              moe_layer, " has no schedule (", schedules_.size(), " given)");
  return schedules_[static_cast<size_t>(moe_layer)];
}

// bucketize(right = true) gives i with t_{i-1} <= p < t_i: the index of the width.
at::Tensor ThresholdWidth::hidden_units(int moe_layer, const model::RoutingDecision& routing, int64_t d_ff) const {
  const ThresholdSchedule& s = schedule(moe_layer);
  std::vector<int64_t> units;
  for (double w : s.widths) units.push_back(model::hidden_units_for(w, d_ff));
  const at::Tensor table = at::tensor(units, routing.expert_index.options());
  if (s.thresholds.empty()) return table[0].expand(routing.expert_index.sizes()).contiguous();
  const at::Tensor p = assignment_probs(routing).to(at::kDouble);
  const at::Tensor bounds = at::tensor(s.thresholds, p.options());
  const at::Tensor bucket = at::bucketize(p, bounds, /*out_int32=*/false, /*right=*/true);
  return table.index({bucket});
}

std::string ThresholdWidth::describe() const {
  std::string out = "threshold(";
  for (size_t l = 0; l < schedules_.size(); ++l) {
    out += fmt::format("{}t={} w={}", l ? "; " : "", schedules_[l].thresholds, schedules_[l].widths);
  }
  return out + ")";
}

namespace {

std::vector<ThresholdSchedule> threshold_schedules(const std::vector<model::RoutingDecision>& routing,
                                                   const spec::WidthPolicySpec& spec) {
  std::vector<ThresholdSchedule> schedules;
  for (const model::RoutingDecision& r : routing) {
    const at::Tensor p = assignment_probs(r).masked_select(r.expert_index >= 0);
    schedules.push_back(calibrate_thresholds(p, spec.grid, spec.budget));
  }
  return schedules;
}

// Per-layer two-level thresholds, first on the routing the calibration windows get at
// uniform B, then refitted L - 1 times on the routing they get under the thresholds
// themselves: layer l's routing depends on the widths of layers < l, so after refit i
// layers 0..i are calibrated on exactly the routing they see (as refit_ttt_scales).
std::unique_ptr<model::WidthChooser> make_threshold(const spec::WidthPolicySpec& spec, model::LanguageModel& model,
                                                    const at::Tensor& calibration, int batch_size) {
  std::vector<ThresholdSchedule> schedules =
      threshold_schedules(collect_routing(model, calibration, model::UniformWidth(spec.budget), batch_size), spec);
  for (size_t pass = 1; pass < schedules.size(); ++pass) {
    const ThresholdWidth current(schedules);
    schedules = threshold_schedules(collect_routing(model, calibration, current, batch_size), spec);
  }
  return std::make_unique<ThresholdWidth>(std::move(schedules));
}

const spec::Registration<WidthPolicyFactory> kRegistered(width_policy_factories(), {"threshold", make_threshold});

}  // namespace

}  // namespace mose::core::policy

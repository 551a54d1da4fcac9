// Width policy registry (see width_policies.h). Names and spec validation live in the
// torch-free width_policy_spec.cpp; every name listed there has an entry here.
#include "core/policy/width_policies.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/errors.h"
#include "core/policy/layer_budget_width.h"
#include "core/policy/threshold_width.h"
#include "core/policy/ttt_width.h"

namespace mose::core {
namespace {

using Factory = std::unique_ptr<WidthChooser> (*)(const WidthPolicySpec&, Gpt&, const at::Tensor&, int);

struct PolicyEntry {
  const char* name;
  bool calibrates;
  Factory make;
};

std::unique_ptr<WidthChooser> make_uniform(const WidthPolicySpec& spec, Gpt&, const at::Tensor&, int) {
  return std::make_unique<UniformWidth>(spec.width);
}

std::vector<ThresholdSchedule> threshold_schedules(const std::vector<RoutingDecision>& routing,
                                                   const WidthPolicySpec& spec) {
  std::vector<ThresholdSchedule> schedules;
  for (const RoutingDecision& r : routing) {
    const at::Tensor p = assignment_probs(r).masked_select(r.expert_index >= 0);
    schedules.push_back(calibrate_thresholds(p, spec.grid, spec.budget));
  }
  return schedules;
}

// Per-layer two-level thresholds, first on the routing the calibration windows get at
// uniform B, then refitted L - 1 times on the routing they get under the thresholds
// themselves: layer l's routing depends on the widths of layers < l, so after refit i
// layers 0..i are calibrated on exactly the routing they see (as refit_ttt_scales).
std::unique_ptr<WidthChooser> make_threshold(const WidthPolicySpec& spec, Gpt& model, const at::Tensor& calibration,
                                             int batch_size) {
  std::vector<ThresholdSchedule> schedules =
      threshold_schedules(collect_routing(model, calibration, UniformWidth(spec.budget), batch_size), spec);
  for (size_t pass = 1; pass < schedules.size(); ++pass) {
    const ThresholdWidth current(schedules);
    schedules = threshold_schedules(collect_routing(model, calibration, current, batch_size), spec);
  }
  return std::make_unique<ThresholdWidth>(std::move(schedules));
}

// gamma fixed (scales fitted) or fitted by fit_gamma; scales refitted at the ttt widths.
std::unique_ptr<WidthChooser> make_ttt(const WidthPolicySpec& spec, Gpt& model, const at::Tensor& calibration,
                                       int batch_size) {
  if (spec.gamma) {
    const auto routing = collect_routing(model, calibration, UniformWidth(spec.budget), batch_size);
    std::vector<TttLayer> layers = refit_ttt_scales(model, calibration, spec.budget, spec.grid,
                                                    calibrate_ttt(routing, spec.budget, *spec.gamma, spec.grid),
                                                    batch_size);
    return std::make_unique<TttWidth>(spec.budget, spec.grid, std::move(layers));
  }
  GammaFit fit = fit_gamma(model, calibration, spec.budget, spec.grid, batch_size);
  return std::make_unique<TttWidth>(spec.budget, spec.grid, std::move(fit.layers));
}

std::unique_ptr<WidthChooser> make_layer_budget(const WidthPolicySpec& spec, Gpt& model,
                                                const at::Tensor& calibration, int batch_size) {
  LayerBudgetFit fit = fit_layer_budget(model, calibration, spec.budget, spec.grid, batch_size);
  return std::make_unique<LayerBudgetWidth>(spec.budget, std::move(fit.widths));
}

const std::vector<PolicyEntry>& registry() {
  static const std::vector<PolicyEntry> entries{{"uniform", false, make_uniform},
                                                {"uniform_k", false, make_uniform},
                                                {"threshold", true, make_threshold},
                                                {"ttt", true, make_ttt},
                                                {"layer_budget", true, make_layer_budget}};
  return entries;
}

// spec.name is one of width_policy_names() (validated); a name without an entry is a
// programmer error.
const PolicyEntry& find_entry(const std::string& name) {
  for (const PolicyEntry& e : registry()) {
    if (e.name == name) return e;
  }
  throw ConfigError(fmt::format("width policy '{}' has no factory in core/policy/width_policies.cpp; known: {}",
                                name, fmt::join(known_width_policies(), ", ")));
}

}  // namespace

std::vector<std::string> known_width_policies() { return width_policy_names(); }

std::unique_ptr<WidthChooser> make_width_policy(const WidthPolicySpec& spec, Gpt& model,
                                                const at::Tensor& calibration, int batch_size) {
  spec.validate();
  const PolicyEntry& entry = find_entry(spec.name);
  if (entry.calibrates) {
    TORCH_CHECK(calibration.defined() && calibration.dim() == 2 && calibration.size(0) > 0,
                "make_width_policy: policy '", spec.name, "' needs calibration windows [N, seq_len + 1]");
  }
  return entry.make(spec, model, calibration, batch_size);
}

}  // namespace mose::core

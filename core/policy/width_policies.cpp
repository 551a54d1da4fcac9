// Width policy registry (see width_policies.h) and WidthPolicySpec validation.
#include "core/policy/width_policies.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/errors.h"
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

// Per-layer two-level thresholds on the routing the calibration windows get at uniform B.
std::unique_ptr<WidthChooser> make_threshold(const WidthPolicySpec& spec, Gpt& model, const at::Tensor& calibration,
                                             int batch_size) {
  std::vector<ThresholdSchedule> schedules;
  for (const RoutingDecision& r : collect_routing(model, calibration, UniformWidth(spec.budget), batch_size)) {
    const at::Tensor p = assignment_probs(r).masked_select(r.expert_index >= 0);
    schedules.push_back(calibrate_thresholds(p, spec.grid, spec.budget));
  }
  return std::make_unique<ThresholdWidth>(std::move(schedules));
}

// gamma fixed (scales fitted) or fitted by fit_gamma.
std::unique_ptr<WidthChooser> make_ttt(const WidthPolicySpec& spec, Gpt& model, const at::Tensor& calibration,
                                       int batch_size) {
  if (spec.gamma) {
    const auto routing = collect_routing(model, calibration, UniformWidth(spec.budget), batch_size);
    std::vector<TttLayer> layers = calibrate_ttt(routing, spec.budget, *spec.gamma, spec.grid);
    return std::make_unique<TttWidth>(spec.budget, spec.grid, std::move(layers));
  }
  GammaFit fit = fit_gamma(model, calibration, spec.budget, spec.grid, batch_size);
  return std::make_unique<TttWidth>(spec.budget, spec.grid, std::move(fit.layers));
}

const std::vector<PolicyEntry>& registry() {
  static const std::vector<PolicyEntry> entries{
      {"uniform", false, make_uniform}, {"threshold", true, make_threshold}, {"ttt", true, make_ttt}};
  return entries;
}

const PolicyEntry& find_entry(const std::string& name) {
  for (const PolicyEntry& e : registry()) {
    if (e.name == name) return e;
  }
  throw ConfigError(fmt::format("policy.name = '{}': unknown width policy; known: {}", name,
                                fmt::join(known_width_policies(), ", ")));
}

}  // namespace

std::vector<std::string> known_width_policies() {
  std::vector<std::string> names;
  for (const PolicyEntry& e : registry()) names.emplace_back(e.name);
  return names;
}

void WidthPolicySpec::validate() const {
  find_entry(name);
  if (name == "uniform") {
    if (!(width > 0 && width <= 1)) {
      throw ConfigError(fmt::format("policy.width = {}: expected a width in (0, 1]", width));
    }
    return;
  }
  const bool increasing =
      std::adjacent_find(grid.begin(), grid.end(), [](double a, double b) { return !(a < b); }) == grid.end();
  if (grid.empty() || !increasing || grid.front() <= 0 || grid.back() > 1) {
    throw ConfigError(fmt::format("policy.grid = {}: expected strictly increasing widths in (0, 1]", grid));
  }
  if (!(budget >= grid.front() && budget <= grid.back())) {
    throw ConfigError(fmt::format("policy.budget = {}: expected a budget in [{}, {}] (the grid's range)", budget,
                                  grid.front(), grid.back()));
  }
  if (gamma && !(*gamma >= 0)) throw ConfigError(fmt::format("policy.gamma = {}: expected gamma >= 0", *gamma));
}


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

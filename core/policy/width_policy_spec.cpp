// WidthPolicySpec validation and the list of policy names. Torch-free: mose_core_config.
#include "core/policy/width_policy_spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/errors.h"

namespace mose::core {

const std::vector<std::string>& width_policy_names() {
  static const std::vector<std::string> names{"uniform", "uniform_k", "threshold", "ttt", "layer_budget"};
  return names;
}

void validate_width_grid(const std::vector<double>& grid) {
  const bool increasing =
      std::adjacent_find(grid.begin(), grid.end(), [](double a, double b) { return !(a < b); }) == grid.end();
  if (grid.empty() || !increasing || grid.front() <= 0 || grid.back() > 1) {
    throw ConfigError(fmt::format("policy.grid = {}: expected strictly increasing widths in (0, 1]", grid));
  }
}

void WidthPolicySpec::validate() const {
  const auto& names = width_policy_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw ConfigError(
        fmt::format("policy.name = '{}': unknown width policy; known: {}", name, fmt::join(names, ", ")));
  }
  if (experts_per_token < 0 || (name == "uniform_k" && experts_per_token < 1)) {
    throw ConfigError(fmt::format("policy.k = {}: expected {}", experts_per_token,
                                  name == "uniform_k" ? "at least 1 expert per token" : "0 (the model's) or more"));
  }
  if (is_uniform()) {
    if (!(width > 0 && width <= 1)) {
      throw ConfigError(fmt::format("policy.width = {}: expected a width in (0, 1]", width));
    }
    return;
  }
  validate_width_grid(grid);
  if (!(budget >= grid.front() && budget <= grid.back())) {
    throw ConfigError(fmt::format("policy.budget = {}: expected a budget in [{}, {}] (the grid's range)", budget,
                                  grid.front(), grid.back()));
  }
  if (gamma && name != "ttt") {
    throw ConfigError(fmt::format("policy.gamma = {}: only the ttt policy takes gamma, not '{}'", *gamma, name));
  }
  if (gamma && !(*gamma >= 0)) throw ConfigError(fmt::format("policy.gamma = {}: expected gamma >= 0", *gamma));
}

}  // namespace mose::core

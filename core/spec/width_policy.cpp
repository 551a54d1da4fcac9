// The width-policy registry and the checks every policy shares (see width_policy.h).
#include "core/spec/width_policy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/errors.h"

namespace mose::core::spec {

Registry<WidthPolicyKind>& width_policies() {
  static Registry<WidthPolicyKind> registry("width policy", "policy.name");
  return registry;
}

const WidthPolicyKind& width_policy_kind(const WidthPolicySpec& spec) { return width_policies().at(spec.name); }

void validate_width_grid(const std::vector<double>& grid) {
  const bool increasing =
      std::adjacent_find(grid.begin(), grid.end(), [](double a, double b) { return !(a < b); }) == grid.end();
  if (grid.empty() || !increasing || grid.front() <= 0 || grid.back() > 1) {
    throw ConfigError(fmt::format("policy.grid = {}: expected strictly increasing widths in (0, 1]", grid));
  }
}

void validate_budget(const WidthPolicySpec& spec) {
  validate_width_grid(spec.grid);
  if (!(spec.budget >= spec.grid.front() && spec.budget <= spec.grid.back())) {
    throw ConfigError(fmt::format("policy.budget = {}: expected a budget in [{}, {}] (the grid's range)", spec.budget,
                                  spec.grid.front(), spec.grid.back()));
  }
}

WidthPolicyKind budgeted_policy_kind(std::string name, std::string summary) {
  WidthPolicyKind kind;
  kind.name = name;
  kind.summary = std::move(summary);
  kind.calibrates = true;
  kind.parameters = {PolicyParameter{"budgets", SettingKind::kFloatList,
                                     "a non-empty array of budgets (mean widths) in (0, 1]", true, is_unit_width}};
  kind.expand = [name](const PolicyValues& values) {
    std::vector<WidthPolicySpec> policies;
    for (double b : std::get<std::vector<double>>(values.at("budgets"))) {
      policies.push_back(WidthPolicySpec{.name = name, .budget = b});
    }
    return policies;
  };
  kind.identity = [](const WidthPolicySpec& policy) {
    return PolicyIdentity{{"name", policy.name}, {"budget", policy.budget}, {"grid", policy.grid}};
  };
  kind.validate = validate_budget;
  return kind;
}

double WidthPolicySpec::target_budget() const { return is_uniform() ? width : budget; }

bool WidthPolicySpec::is_uniform() const { return width_policy_kind(*this).uniform; }

void WidthPolicySpec::validate() const {
  const WidthPolicyKind& kind = width_policy_kind(*this);
  if (experts_per_token < 0) {
    throw ConfigError(fmt::format("policy.k = {}: expected 0 (the model's) or more", experts_per_token));
  }
  for (const auto& [option, value] : options) {
    if (std::find(kind.options.begin(), kind.options.end(), option) == kind.options.end()) {
      throw ConfigError(fmt::format("policy.{} = {}: the '{}' policy takes no {}", option, value, name, option));
    }
  }
  if (kind.uniform && !(width > 0 && width <= 1)) {
    throw ConfigError(fmt::format("policy.width = {}: expected a width in (0, 1]", width));
  }
  if (kind.validate) kind.validate(*this);
}

}  // namespace mose::core::spec

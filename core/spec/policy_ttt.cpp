// Width policy "ttt" (see policy_ttt.h).
#include "core/spec/policy_ttt.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace mose::core::spec {
namespace {

WidthPolicyKind ttt() {
  WidthPolicyKind kind = budgeted_policy_kind(
      "ttt", "w = clip(s B k p^gamma / sum p^gamma) snapped to the grid, gamma fitted on calibration");
  kind.options = {"gamma"};
  kind.identity = [](const WidthPolicySpec& policy) {
    const std::optional<double> gamma = ttt_gamma(policy);
    return PolicyIdentity{{"name", policy.name},
                          {"budget", policy.budget},
                          {"grid", policy.grid},
                          {"gamma", gamma ? SettingValue(*gamma) : SettingValue(std::string("fit"))}};
  };
  kind.validate = [](const WidthPolicySpec& policy) {
    validate_budget(policy);
    if (const std::optional<double> gamma = ttt_gamma(policy); gamma && !(*gamma >= 0)) {
      throw ConfigError(fmt::format("policy.gamma = {}: expected gamma >= 0", *gamma));
    }
  };
  return kind;
}

const Registration<WidthPolicyKind> kRegistered(width_policies(), ttt());

}  // namespace

std::optional<double> ttt_gamma(const WidthPolicySpec& spec) {
  const auto it = spec.options.find("gamma");
  if (it == spec.options.end()) return std::nullopt;
  return it->second;
}

}  // namespace mose::core::spec

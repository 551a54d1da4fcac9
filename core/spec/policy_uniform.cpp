// Width policy "uniform": every routed expert at one width w (its first round(w * d_ff)
// hidden units); a [[policy]] table lists the widths, one evaluation trial each.
#include "core/spec/width_policy.h"

namespace mose::core::spec {
namespace {

WidthPolicyKind uniform() {
  WidthPolicyKind kind;
  kind.name = "uniform";
  kind.summary = "every routed expert at one width w (first round(w * d_ff) hidden units)";
  kind.uniform = true;
  kind.parameters = {
      PolicyParameter{"widths", SettingKind::kFloatList, "a non-empty array of widths in (0, 1]", true, is_unit_width}};
  kind.expand = [](const PolicyValues& values) {
    std::vector<WidthPolicySpec> policies;
    for (double w : std::get<std::vector<double>>(values.at("widths"))) {
      policies.push_back(WidthPolicySpec{.name = "uniform", .width = w});
    }
    return policies;
  };
  kind.identity = [](const WidthPolicySpec& policy) {
    return PolicyIdentity{{"name", policy.name}, {"width", policy.width}};
  };
  return kind;
}

const Registration<WidthPolicyKind> kRegistered(width_policies(), uniform());

}  // namespace
}  // namespace mose::core::spec

// Width policy registry entries (see recipe_policies.h).
#include "study/recipe_policies.h"

namespace mose::study {
namespace {

bool is_width(double w) { return w > 0 && w <= 1; }

// uniform: every selected expert runs at one width w; one evaluation trial per width.
PolicyKind uniform_policy() {
  PolicyKind kind;
  kind.name = "uniform";
  kind.summary = "every routed expert at one width w (first round(w * d_ff) hidden units)";
  kind.parameters = {
      PolicyParameter{"widths", ValueKind::kFloatList, "a non-empty array of widths in (0, 1]", true, is_width}};
  kind.expand = [](const PolicyValues& values) {
    std::vector<core::WidthPolicySpec> policies;
    for (double w : std::get<std::vector<double>>(values.at("widths"))) {
      policies.push_back(core::WidthPolicySpec{.name = "uniform", .width = w});
    }
    return policies;
  };
  kind.settings = [](const core::WidthPolicySpec& policy) {
    return JsonValue::Object{{"name", JsonValue(policy.name)}, {"width", JsonValue(policy.width)}};
  };
  kind.expert_fraction = [](const core::WidthPolicySpec& policy) { return policy.width; };
  return kind;
}

}  // namespace

const std::vector<PolicyKind>& policy_kinds() {
  static const std::vector<PolicyKind> kinds{uniform_policy()};
  return kinds;
}

const PolicyKind* find_policy_kind(std::string_view name) {
  for (const PolicyKind& kind : policy_kinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::vector<std::string> policy_kind_names() {
  std::vector<std::string> names;
  for (const PolicyKind& kind : policy_kinds()) names.push_back(kind.name);
  return names;
}

}  // namespace mose::study

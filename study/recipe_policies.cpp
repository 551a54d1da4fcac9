// Width policy registry entries (see recipe_policies.h). Each expanded policy is checked
// by core::WidthPolicySpec::validate (torch-free, mose_core_config), the one definition of
// a valid policy; the parameters' `accepts` only give out-of-range list elements their
// position in the recipe.
#include "study/recipe_policies.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace mose::study {
namespace {

bool is_width(double w) { return w > 0 && w <= 1; }

// ConfigError from validate -> RecipeError naming the policy as the recipe wrote it.
core::WidthPolicySpec validated(core::WidthPolicySpec spec) {
  try {
    spec.validate();
  } catch (const ConfigError& error) {
    throw RecipeError(fmt::format("[[policy]] name = \"{}\": {}", spec.name, error.what()));
  }
  return spec;
}

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
      policies.push_back(validated(core::WidthPolicySpec{.name = "uniform", .width = w}));
    }
    return policies;
  };
  kind.settings = [](const core::WidthPolicySpec& policy) {
    return JsonValue::Object{{"name", JsonValue(policy.name)}, {"width", JsonValue(policy.width)}};
  };
  kind.expert_fraction = [](const core::WidthPolicySpec& policy) { return policy.width; };
  return kind;
}

// uniform_k: random_k models (Matryoshka MoE) at inference: every width crossed with every
// k (experts per token); one evaluation trial per (width, k), its own frontier group.
bool is_expert_count(double k) { return k >= 1 && k == static_cast<double>(static_cast<int>(k)); }

PolicyKind uniform_k_policy() {
  PolicyKind kind;
  kind.name = "uniform_k";
  kind.summary = "random_k models: uniform width w with k experts per token at inference";
  kind.parameters = {
      PolicyParameter{"widths", ValueKind::kFloatList, "a non-empty array of widths in (0, 1]", true, is_width},
      PolicyParameter{"k", ValueKind::kFloatList, "a non-empty array of whole numbers of experts per token (>= 1)",
                      true, is_expert_count}};
  kind.expand = [](const PolicyValues& values) {
    std::vector<core::WidthPolicySpec> policies;
    for (double k : std::get<std::vector<double>>(values.at("k"))) {
      for (double w : std::get<std::vector<double>>(values.at("widths"))) {
        policies.push_back(validated(
            core::WidthPolicySpec{.name = "uniform_k", .width = w, .experts_per_token = static_cast<int>(k)}));
      }
    }
    return policies;
  };
  kind.settings = [](const core::WidthPolicySpec& policy) {
    return JsonValue::Object{{"name", JsonValue(policy.name)},
                             {"width", JsonValue(policy.width)},
                             {"k", JsonValue(static_cast<int64_t>(policy.experts_per_token))}};
  };
  kind.expert_fraction = [](const core::WidthPolicySpec& policy) { return policy.width; };
  return kind;
}

// Budgeted policies (threshold, ttt, layer_budget): one evaluation trial per budget B, each spending
// a share B of the full-width expert FLOPs (calibrated on held-out validation windows).
PolicyKind budget_policy(const char* name, const char* summary,
                         std::vector<core::WidthPolicySpec> (*expand)(const PolicyValues&)) {
  PolicyKind kind;
  kind.name = name;
  kind.summary = summary;
  kind.expand = expand;
  kind.parameters = {PolicyParameter{"budgets", ValueKind::kFloatList,
                                     "a non-empty array of budgets (mean widths) in (0, 1]", true, is_width}};
  kind.settings = [](const core::WidthPolicySpec& policy) {
    JsonValue::Array grid;
    for (double w : policy.grid) grid.emplace_back(w);
    JsonValue::Object out{{"name", JsonValue(policy.name)}, {"budget", JsonValue(policy.budget)},
                          {"grid", JsonValue(std::move(grid))}};
    if (policy.name == "ttt") {
      out.emplace_back("gamma", policy.gamma ? JsonValue(*policy.gamma) : JsonValue("fit"));
    }
    return out;
  };
  kind.expert_fraction = [](const core::WidthPolicySpec& policy) { return policy.budget; };
  return kind;
}

template <const char* kName>
std::vector<core::WidthPolicySpec> expand_budgets(const PolicyValues& values) {
  std::vector<core::WidthPolicySpec> policies;
  for (double b : std::get<std::vector<double>>(values.at("budgets"))) {
    policies.push_back(validated(core::WidthPolicySpec{.name = kName, .budget = b}));
  }
  return policies;
}

constexpr char kThreshold[] = "threshold";
constexpr char kTtt[] = "ttt";
constexpr char kLayerBudget[] = "layer_budget";

}  // namespace

const std::vector<PolicyKind>& policy_kinds() {
  static const std::vector<PolicyKind> kinds{
      uniform_policy(),
      uniform_k_policy(),
      budget_policy(kThreshold, "router confidence -> width through thresholds calibrated so the mean width is B",
                    expand_budgets<kThreshold>),
      budget_policy(kTtt, "w = clip(s B k p^gamma / sum p^gamma) snapped to the grid, gamma fitted on calibration",
                    expand_budgets<kTtt>),
      budget_policy(kLayerBudget, "one width per MoE layer, allocated greedily by calibration loss gain per FLOP",
                    expand_budgets<kLayerBudget>)};
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

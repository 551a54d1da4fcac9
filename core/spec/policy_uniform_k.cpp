// Width policy "uniform_k": random_k models (Matryoshka MoE) at inference, a second
// compute axis: every width crossed with every k (experts per token), one evaluation
// trial per (width, k), each its own frontier group.
#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"
#include "core/spec/limits.h"
#include "core/spec/width_policy.h"

namespace mose::core::spec {
namespace {

// Compared as doubles: casting a value beyond int first would be undefined.
bool is_expert_count(double k) { return k >= 1 && k <= static_cast<double>(kMaxExperts) && k == std::floor(k); }

WidthPolicyKind uniform_k() {
  WidthPolicyKind kind;
  kind.name = "uniform_k";
  kind.summary = "random_k models: uniform width w with k experts per token at inference";
  kind.uniform = true;
  kind.parameters = {
      PolicyParameter{"widths", SettingKind::kFloatList, "a non-empty array of widths in (0, 1]", true, is_unit_width},
      PolicyParameter{"k", SettingKind::kFloatList,
                      fmt::format("a non-empty array of whole numbers of experts per token, 1 to {}", kMaxExperts),
                      true, is_expert_count}};
  kind.expand = [](const PolicyValues& values) {
    std::vector<WidthPolicySpec> policies;
    for (double k : std::get<std::vector<double>>(values.at("k"))) {
      for (double w : std::get<std::vector<double>>(values.at("widths"))) {
        policies.push_back(WidthPolicySpec{.name = "uniform_k", .width = w, .experts_per_token = static_cast<int>(k)});
      }
    }
    return policies;
  };
  kind.identity = [](const WidthPolicySpec& policy) {
    return PolicyIdentity{
        {"name", policy.name}, {"width", policy.width}, {"k", static_cast<int64_t>(policy.experts_per_token)}};
  };
  kind.validate = [](const WidthPolicySpec& policy) {
    if (policy.experts_per_token < 1) {
      throw ConfigError(fmt::format("policy.k = {}: expected at least 1 expert per token", policy.experts_per_token));
    }
  };
  return kind;
}

const Registration<WidthPolicyKind> kRegistered(width_policies(), uniform_k());

}  // namespace
}  // namespace mose::core::spec

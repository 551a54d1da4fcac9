// Routing regime "null_experts" (see router_null_experts.h).
#include "core/spec/router_null_experts.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/limits.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

constexpr char kNullExperts[] = "model.router.null_experts";
constexpr char kNullTarget[] = "model.router.null_target";
constexpr char kNullLossCoef[] = "model.router.null_loss_coef";

RouterRegime null_experts() {
  RouterRegime regime;
  regime.name = "null_experts";
  regime.summary = "top-k over real + zero-compute null experts: a variable number of real experts per token";
  regime.reference = "AdaMoE, Zeng et al. 2024";
  regime.settings = {
      OwnedSetting::integer("null_experts", 2, SettingRange::between(1, kMaxExperts),
                            "zero-compute experts added to the E real ones"),
      OwnedSetting::number("null_target", 0.25, SettingRange::interval(0, true, 1, false),
                           "share of the top_k slots the null loss steers to null experts"),
      OwnedSetting::number("null_loss_coef", 0.01, SettingRange::interval(0, true, kMaxCoefficient, true),
                           "weight of the null-usage loss"),
  };
  regime.extra_router_outputs = [](const ModelConfig& m) { return null_expert_routing(m.router).null_experts; };
  regime.validate = [](const ModelConfig& m) {
    const int k = m.router.top_k, n = null_expert_routing(m.router).null_experts;
    if (k < 1 || k > m.n_experts + n) {
      throw ConfigError(
          fmt::format("model.router.top_k = {}: expected between 1 and model.n_experts + {}", k, kNullExperts));
    }
  };
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), null_experts());

}  // namespace

NullExpertRouting null_expert_routing(const RouterConfig& router) {
  return {static_cast<int>(router.options.integer(kNullExperts)), router.options.number(kNullTarget),
          router.options.number(kNullLossCoef)};
}

}  // namespace mose::core::spec

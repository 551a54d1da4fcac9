// Routing regime "expert_choice" (see router_expert_choice.h).
#include "core/spec/router_expert_choice.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

constexpr char kExpertCapacity[] = "model.router.expert_capacity";

RouterRegime expert_choice() {
  RouterRegime regime;
  regime.name = "expert_choice";
  regime.summary = "each expert takes its top-C tokens of a sequence, C = ceil(c * S / E)";
  regime.reference = "Zhou et al. 2022";
  regime.settings = {OwnedSetting::number("expert_capacity", 2.0, SettingRange::any("in (0, model.n_experts]"),
                                          "experts per token on average, c")};
  regime.nominal_experts_per_token = [](const ModelConfig& m) {
    return expert_choice_routing(m.router).expert_capacity;
  };
  regime.validate = [](const ModelConfig& m) {
    const double c = expert_choice_routing(m.router).expert_capacity;
    if (!(c > 0 && c <= m.n_experts)) {
      throw ConfigError(fmt::format("{} = {}: expected in (0, model.n_experts]", kExpertCapacity, c));
    }
  };
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), expert_choice());

}  // namespace

ExpertChoiceRouting expert_choice_routing(const RouterConfig& router) {
  return {router.options.number(kExpertCapacity)};
}

}  // namespace mose::core::spec

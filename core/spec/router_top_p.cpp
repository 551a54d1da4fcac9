// Routing regime "top_p" (see router_top_p.h).
#include "core/spec/router_top_p.h"

#include "core/spec/limits.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

constexpr char kTopP[] = "model.router.top_p";
constexpr char kEntropyLossCoef[] = "model.router.entropy_loss_coef";

RouterRegime top_p() {
  RouterRegime regime;
  regime.name = "top_p";
  regime.summary = "the fewest experts whose probabilities reach p, at most top_k";
  regime.reference = "Huang et al. 2024";
  regime.settings = {
      OwnedSetting::number("top_p", 0.5, SettingRange::interval(0, false, 1, true),
                           "probability mass the chosen experts must reach (at most top_k experts)"),
      OwnedSetting::number("entropy_loss_coef", 0.0, SettingRange::interval(0, true, kMaxCoefficient, true),
                           "weight of the router-entropy regulariser (lower entropy, fewer experts)"),
  };
  regime.validate = validate_top_k;
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), top_p());

}  // namespace

TopPRouting top_p_routing(const RouterConfig& router) {
  return {router.options.number(kTopP), router.options.number(kEntropyLossCoef)};
}

}  // namespace mose::core::spec

// Routing regime "soft_topk" (see router_soft_topk.h).
#include "core/spec/router_soft_topk.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/limits.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

constexpr char kSoftAlpha[] = "model.router.soft_alpha";
constexpr char kSoftThreshold[] = "model.router.soft_threshold";
constexpr char kLearnK[] = "model.router.learn_k";

RouterRegime soft_topk() {
  RouterRegime regime;
  regime.name = "soft_topk";
  regime.summary = "Laplace soft top-k with a learned per-layer k (mean top_k over layers)";
  regime.reference = "LapSum soft top-k relaxation";
  regime.settings = {
      OwnedSetting::number("soft_alpha", 0.1, SettingRange::interval(0, false, kMaxCoefficient, true),
                           "Laplace scale on standardised logits"),
      OwnedSetting::number("soft_threshold", 0.5, SettingRange::interval(0, false, 1, false),
                           "experts below this soft weight do not run"),
      OwnedSetting::flag("learn_k", true, "learn k per layer (mean fixed to top_k); false = top_k in every layer"),
  };
  regime.validate = [](const ModelConfig& m) {
    validate_top_k(m);
    if (m.router.top_k >= m.n_experts) {
      throw ConfigError(
          fmt::format("model.router.top_k = {}: expected below model.n_experts (a soft budget must "
                      "leave room)",
                      m.router.top_k));
    }
  };
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), soft_topk());

}  // namespace

SoftTopKRouting soft_topk_routing(const RouterConfig& router) {
  return {router.options.number(kSoftAlpha), router.options.number(kSoftThreshold), router.options.flag(kLearnK)};
}

bool learns_k(const RouterConfig& router) { return router.type == "soft_topk" && soft_topk_routing(router).learn_k; }

}  // namespace mose::core::spec

// Routing regime "random_k" (see router_random_k.h).
#include "core/spec/router_random_k.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/limits.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

constexpr char kKMin[] = "model.router.k_min";
constexpr char kKMax[] = "model.router.k_max";
constexpr char kKGranularity[] = "model.router.k_granularity";

RouterRegime random_k() {
  RouterRegime regime;
  regime.name = "random_k";
  regime.summary = "k drawn in [k_min, k_max] in training, top_k (or any k) at inference";
  regime.reference = "Matryoshka MoE";
  regime.drops_by_capacity = true;
  regime.serves_any_k = true;
  regime.settings = {
      OwnedSetting::integer("k_min", 1, SettingRange::between(1, kMaxExperts), "smallest k drawn in training"),
      OwnedSetting::integer("k_max", 4, SettingRange::any("between model.router.k_min and model.n_experts"),
                            "largest k drawn in training"),
      OwnedSetting::text("k_granularity", "batch", SettingRange::one_of({"batch", "layer"}),
                         "one k per forward pass (\"batch\") or per layer and pass (\"layer\")"),
  };
  regime.validate = [](const ModelConfig& m) {
    validate_top_k(m);
    const RandomKRouting r = random_k_routing(m.router);
    if (r.k_max < r.k_min || r.k_max > m.n_experts) {
      throw ConfigError(fmt::format("{} = {}: expected between {} and model.n_experts", kKMax, r.k_max, kKMin));
    }
  };
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), random_k());

}  // namespace

RandomKRouting random_k_routing(const RouterConfig& router) {
  return {static_cast<int>(router.options.integer(kKMin)), static_cast<int>(router.options.integer(kKMax)),
          router.options.text(kKGranularity)};
}

}  // namespace mose::core::spec

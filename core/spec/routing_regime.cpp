// The routing-regime registry (see routing_regime.h).
#include "core/spec/routing_regime.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/config.h"

namespace mose::core::spec {

Registry<RouterRegime>& router_regimes() {
  static Registry<RouterRegime> registry("router", "model.router.type");
  return registry;
}

const RouterRegime& router_regime(const ModelConfig& model) { return router_regimes().at(model.router.type); }

void validate_top_k(const ModelConfig& model) {
  const int k = model.router.top_k;
  if (k < 1 || k > model.n_experts) {
    throw ConfigError(fmt::format("model.router.top_k = {}: expected between 1 and model.n_experts", k));
  }
}

}  // namespace mose::core::spec

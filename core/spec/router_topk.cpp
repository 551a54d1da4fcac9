// Routing regime "topk": token choice, each token's k most probable experts.
#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/config.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

RouterRegime topk() {
  RouterRegime regime;
  regime.name = "topk";
  regime.summary = "token choice: each token takes its k most probable experts";
  regime.reference = "Shazeer et al. 2017; Switch Transformer for k = 1 (Fedus et al. 2021)";
  regime.drops_by_capacity = true;
  regime.validate = validate_top_k;
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), topk());

}  // namespace
}  // namespace mose::core::spec

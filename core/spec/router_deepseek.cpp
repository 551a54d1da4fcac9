// Routing regime "deepseek" (see router_deepseek.h).
#include "core/spec/router_deepseek.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/spec/routing_regime.h"

namespace mose::core::spec {
namespace {

constexpr char kGranularity[] = "model.router.granularity";
constexpr char kSharedExperts[] = "model.router.shared_experts";
constexpr char kSharedSlimmable[] = "model.router.shared_slimmable";
// DeepSeekMoE splits each expert into m = 4 to 8; past 1024 an expert of d_ff / m units
// is a few units wide, and m * n_experts (<= 4M) must stay an int.
constexpr int kMaxGranularity = 1024;
constexpr char kGranularityRange[] = "a divisor of model.d_ff, 1 to 1024";

void validate(const ModelConfig& m) {
  const DeepseekRouting d = deepseek_routing(m.router);
  if (d.granularity < 1 || d.granularity > kMaxGranularity || m.d_ff % d.granularity != 0) {
    throw ConfigError(fmt::format("{} = {}: expected {}", kGranularity, d.granularity, kGranularityRange));
  }
  if (d.shared_experts < 0 || d.shared_experts >= d.granularity * m.router.top_k) {
    throw ConfigError(fmt::format("{} = {}: expected in [0, granularity * top_k)", kSharedExperts, d.shared_experts));
  }
  validate_top_k(m);
}

RouterRegime deepseek() {
  RouterRegime regime;
  regime.name = "deepseek";
  regime.summary = "fine-grained + shared experts: m*E experts of d_ff/m, K_s always on, m*top_k per token";
  regime.reference = "DeepSeekMoE, Dai et al. 2024";
  regime.drops_by_capacity = true;
  regime.settings = {
      OwnedSetting::integer("granularity", 4, SettingRange::any(kGranularityRange),
                            "each expert split into m experts of d_ff / m hidden units"),
      OwnedSetting::integer("shared_experts", 1, SettingRange::any("in [0, granularity * top_k)"),
                            "always-on shared experts K_s"),
      OwnedSetting::flag("shared_slimmable", true,
                         "shared experts follow the token's mean routed width (else full width)"),
  };
  regime.routed_experts = [](const ModelConfig& m) {
    const DeepseekRouting d = deepseek_routing(m.router);
    return m.n_experts * d.granularity - d.shared_experts;
  };
  regime.expert_d_ff = [](const ModelConfig& m) { return m.d_ff / deepseek_routing(m.router).granularity; };
  regime.shared_experts = [](const ModelConfig& m) { return deepseek_routing(m.router).shared_experts; };
  regime.nominal_experts_per_token = [](const ModelConfig& m) {
    return static_cast<double>(deepseek_routing(m.router).granularity) * m.router.top_k;
  };
  regime.validate = validate;
  return regime;
}

const Registration<RouterRegime> kRegistered(router_regimes(), deepseek());

}  // namespace

DeepseekRouting deepseek_routing(const RouterConfig& router) {
  return {static_cast<int>(router.options.integer(kGranularity)),
          static_cast<int>(router.options.integer(kSharedExperts)), router.options.flag(kSharedSlimmable)};
}

}  // namespace mose::core::spec

// The routing-regime extension point, torch-free half: a descriptor per regime
// (model.router.type), registered from its own file core/spec/router_<name>.cpp. The
// torch half is the router factory registered under the same name in core/model/.
//
// A descriptor says what the regime is (summary, reference), which settings it owns
// (model.router.<name>: type, default, range, meaning; they join a trial's identity only
// when the regime is selected), how it reshapes the experts (deepseek splits them), and
// what it checks across settings. Adding a regime = its descriptor file, its router
// file, its tests and its row in recipes/README.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/spec/owned_setting.h"
#include "core/spec/registry.h"

namespace mose::core::spec {

struct ModelConfig;

struct RouterRegime {
  std::string name;                    // model.router.type
  std::string summary;                 // one line for docs and `mose-study check`
  std::string reference;               // the paper it follows
  std::vector<OwnedSetting> settings;  // keys "model.router.<setting name>"
  // Whether capacity dropping (model.router.capacity_factor_*) applies to it.
  bool drops_by_capacity = false;
  // Whether its router serves any number of experts per token at inference (a uniform_k
  // policy's k), not only the k it was trained for.
  bool serves_any_k = false;
  // Expert structure after the regime reshapes it; empty = unchanged: n_experts routed
  // experts of d_ff hidden units, none shared, no extra router outputs.
  std::function<int(const ModelConfig&)> routed_experts;
  std::function<int(const ModelConfig&)> expert_d_ff;
  std::function<int(const ModelConfig&)> shared_experts;
  std::function<int(const ModelConfig&)> extra_router_outputs;  // zero-compute outputs (null experts)
  // Routed + shared experts a token uses by design; empty = model.router.top_k.
  std::function<double(const ModelConfig&)> nominal_experts_per_token;
  // Cross-setting checks (ConfigError naming the key); the owned settings' own ranges
  // and the common router settings are checked before it runs.
  std::function<void(const ModelConfig&)> validate;
};

Registry<RouterRegime>& router_regimes();

// The regime `model.router.type` names; ConfigError listing the known ones when none does.
const RouterRegime& router_regime(const ModelConfig& model);

// ConfigError unless model.router.top_k is between 1 and model.n_experts: the check of
// every regime that picks top_k experts per token.
void validate_top_k(const ModelConfig& model);

}  // namespace mose::core::spec

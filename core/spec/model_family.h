// The model-family extension point, torch-free half: the architecture a trial trains
// (model.family; "gpt" is the default and the only family so far). A descriptor per
// family, registered from its own file core/spec/family_<name>.cpp, says which settings
// it owns (model.<name>), what it checks, and how its forward FLOPs, parameters and
// saved activations are counted; the torch half (core/model/language_model.h) registers
// the model factory under the same name. Adding a family = its descriptor file, its
// model file, its tests and its row in recipes/README.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/spec/flops.h"
#include "core/spec/owned_setting.h"
#include "core/spec/registry.h"

namespace mose::core::spec {

struct ModelConfig;

struct ModelFamily {
  std::string name;                    // model.family
  std::string summary;                 // one line for docs and `mose-study check`
  std::vector<OwnedSetting> settings;  // keys "model.<setting name>"
  // Cross-setting checks beyond the settings' ranges; may be empty.
  std::function<void(const ModelConfig&)> validate;
  // Forward FLOPs per token of everything but the routed and shared experts, for
  // sequences of seq_len tokens (convention in flops.h).
  std::function<FlopsBreakdown(const ModelConfig&, int64_t seq_len)> non_expert_flops;
  // Matrix FLOPs per hidden unit of one expert assignment (4 d for GELU, 6 d for SwiGLU).
  std::function<double(const ModelConfig&)> expert_flops_per_hidden_unit;
  // Trainable parameters of the model the family builds (model.vocab_size resolved).
  std::function<double(const ModelConfig&)> parameters;
  // Elements one training forward pass keeps per token for its backward pass, the LM
  // head's logits excluded (memory.h adds them): for memory estimates.
  std::function<double(const ModelConfig&)> activations_per_token;

  void check() const {
    require_callback(bool(non_expert_flops), "model family", name, "non_expert_flops");
    require_callback(bool(expert_flops_per_hidden_unit), "model family", name, "expert_flops_per_hidden_unit");
    require_callback(bool(parameters), "model family", name, "parameters");
    require_callback(bool(activations_per_token), "model family", name, "activations_per_token");
  }
};

Registry<ModelFamily>& model_families();

// The family `model.family` names; ConfigError listing the known ones when none does.
const ModelFamily& model_family(const ModelConfig& model);

}  // namespace mose::core::spec

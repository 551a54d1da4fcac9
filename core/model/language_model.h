// What training, evaluation and the width policies need of a model, whatever its family:
// the torch half of the model-family extension point (descriptors:
// core/spec/model_family.h). Each family's model file registers its factory under the
// descriptor's name; the two registries name the same families (tested).
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/model/forward_context.h"
#include "core/model/moe_layer.h"
#include "core/spec/config.h"
#include "core/spec/registry.h"

namespace mose::core::model {

class LanguageModel : public torch::nn::Module {
 public:
  // tokens: [B, T] int64 (T <= seq_len) -> logits [B, T, vocab] (or the final hidden
  // states, as the context asks) and the MoE layers' losses and usage.
  virtual ForwardResult forward(const at::Tensor& tokens, const ForwardContext& context) = 0;

  virtual const spec::ModelConfig& config() const = 0;
  // The slimmable MoE layers, in depth order: policies read and set their routing.
  virtual const std::vector<std::shared_ptr<MoeLayer>>& moe_layers() const = 0;
  // [vocab, d_model]: the LM head, for the chunked head loss.
  virtual const at::Tensor& lm_head_weight() const = 0;
  // soft_topk with learn_k: each MoE layer's learned k (mean = router.top_k); else undefined.
  virtual at::Tensor soft_topk_budgets() const = 0;
};

// Builds a family's model for `config` (vocab_size resolved), every parameter drawn
// from one generator seeded with `seed`.
struct ModelFactory {
  std::string name;  // the family's descriptor name
  std::function<std::shared_ptr<LanguageModel>(const spec::ModelConfig& config, uint64_t seed)> make;

  void check() const { spec::require_callback(bool(make), "model family", name, "make"); }
};

spec::Registry<ModelFactory>& model_factories();

// The model of config.family; ConfigError listing the known ones when none is registered.
std::shared_ptr<LanguageModel> make_model(const spec::ModelConfig& config, uint64_t seed);

}  // namespace mose::core::model

// GPT-style decoder (pre-LN) with slimmable-expert MoE FFNs every moe_stride layers,
// tied input/output embeddings, learned or rotary positions. Deterministic from a seed:
// every parameter is drawn from one generator seeded with it.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "core/model/attention.h"
#include "core/model/forward_context.h"
#include "core/model/language_model.h"
#include "core/model/moe_layer.h"
#include "core/spec/config.h"

namespace mose::core::model {

class Gpt : public LanguageModel {
 public:
  Gpt(const spec::ModelConfig& config, uint64_t seed);

  // tokens: [B, T] int64 (T <= seq_len) -> logits [B, T, vocab] and aux losses/stats.
  ForwardResult forward(const at::Tensor& tokens, const ForwardContext& context) override;

  const spec::ModelConfig& config() const override { return config_; }
  const std::vector<std::shared_ptr<MoeLayer>>& moe_layers() const override { return moe_layers_; }
  const at::Tensor& lm_head_weight() const override { return wte_; }  // tied to the embedding
  at::Tensor soft_topk_budgets() const override;

 private:
  // One pre-LN block: x + attn(ln1(x)), then + ffn(ln2(x)) with a dense or an MoE FFN.
  struct Block : torch::nn::Module {
    Block(const spec::ModelConfig& config, int layer, int moe_index, at::Generator& init);
    at::Tensor ln1_weight, ln1_bias, ln2_weight, ln2_bias;
    std::shared_ptr<CausalSelfAttention> attention;
    std::shared_ptr<DenseFfn> dense;  // exactly one of dense / moe is set
    std::shared_ptr<MoeLayer> moe;
  };

  spec::ModelConfig config_;
  at::Tensor wte_;  // [vocab, d_model], also the LM head (tied)
  at::Tensor wpe_;  // [seq_len, d_model] (learned positions only)
  at::Tensor lnf_weight_, lnf_bias_;
  // soft_topk budgets: k_l = K * L * softmax(theta)_l (soft_topk_router.h). Model-level
  // because the constraint (mean_l k_l = K) couples the layers.
  at::Tensor soft_k_logits_;  // [n_moe_layers]
  std::vector<std::shared_ptr<Block>> blocks_;
  std::vector<std::shared_ptr<MoeLayer>> moe_layers_;
};

}  // namespace mose::core::model

// Causal multi-head self-attention through at::scaled_dot_product_attention, with
// learned absolute positions (added at the embedding, see Gpt) or rotary embeddings
// (RoPE, Su et al. 2021) applied to q and k here.
#pragma once

#include <torch/nn/module.h>

#include "core/spec/config.h"

namespace mose::core::model {

class CausalSelfAttention : public torch::nn::Module {
 public:
  CausalSelfAttention(const spec::ModelConfig& config, at::Generator& init);
  // x: [B, T, d_model] -> [B, T, d_model]
  at::Tensor forward(const at::Tensor& x);

 private:
  at::Tensor apply_rope(const at::Tensor& x) const;  // x: [B, H, T, head_dim]

  int n_head_;
  bool rope_;
  at::Tensor w_qkv_;                // [3 * d_model, d_model]
  at::Tensor w_proj_;               // [d_model, d_model]
  at::Tensor rope_cos_, rope_sin_;  // [seq_len, head_dim / 2] buffers
};

// Dense FFN for non-MoE layers: GELU (W2 gelu(W1 x)) or SwiGLU (W2 (silu(Wg x) * W1 x)).
class DenseFfn : public torch::nn::Module {
 public:
  DenseFfn(const spec::ModelConfig& config, at::Generator& init);
  at::Tensor forward(const at::Tensor& x);  // [.., d_model] -> [.., d_model]

 private:
  bool swiglu_;
  at::Tensor w_in_, w_gate_, w_out_;  // [d_ff, d], [d_ff, d], [d, d_ff] (at::linear layout)
};

}  // namespace mose::core::model

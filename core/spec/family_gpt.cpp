// Model family "gpt": a GPT-style pre-LN decoder with tied embeddings, learned or rotary
// positions, GELU or SwiGLU FFNs, and slimmable-expert MoE FFNs every moe_stride layers
// (core/model/gpt.h). FLOPs per token, with d = d_model, V = vocab, T = seq_len (the
// convention of flops.h):
//   attention projections : 2 * (3d * d + d * d) = 8 d^2 per layer
//   attention scores      : causal, averaged over positions: 2 d (T + 1) per layer
//   router                : 2 d * router outputs per MoE layer
//   dense FFN             : 4 d d_dense (GELU), 6 d d_dense (SwiGLU) per dense layer
//   LM head               : 2 d V
//   experts               : 4 d (GELU), 6 d (SwiGLU) per hidden unit of an assignment
#include "core/spec/config.h"
#include "core/spec/model_family.h"

namespace mose::core::spec {
namespace {

double ffn_flops_per_hidden_unit(const ModelConfig& config) {
  return (config.activation == "swiglu" ? 6.0 : 4.0) * config.d_model;
}

FlopsBreakdown non_expert_flops(const ModelConfig& config, int64_t seq_len) {
  const double d = config.d_model, layers = config.n_layer, moe = config.n_moe_layers();
  FlopsBreakdown f;
  f.attention_projections = layers * 8.0 * d * d;
  f.attention_scores = layers * 2.0 * d * static_cast<double>(seq_len + 1);
  f.router = moe * 2.0 * d * config.router_outputs();
  f.dense_ffn = (layers - moe) * ffn_flops_per_hidden_unit(config) * config.dense_d_ff;
  f.lm_head = 2.0 * d * static_cast<double>(config.vocab_size);
  return f;
}

ModelFamily gpt() {
  ModelFamily family;
  family.name = "gpt";
  family.summary = "GPT-style pre-LN decoder, tied embeddings, slimmable-expert MoE FFNs every moe_stride layers";
  family.non_expert_flops = non_expert_flops;
  family.expert_flops_per_hidden_unit = ffn_flops_per_hidden_unit;
  return family;
}

const Registration<ModelFamily> kRegistered(model_families(), gpt());

}  // namespace
}  // namespace mose::core::spec

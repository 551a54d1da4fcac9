// Model family "gpt": a GPT-style pre-LN decoder with tied embeddings, learned or rotary
// positions, GELU or SwiGLU FFNs, and slimmable-expert MoE FFNs every moe_stride layers
// (core/model/gpt.h). With d = d_model, V = vocab, T = seq_len, L layers of which M are
// MoE, g = 2 matrices per FFN (GELU) or 3 (SwiGLU), an expert of f = expert_d_ff hidden
// units, E routed and S shared experts, R router outputs and k experts per token:
//
// FLOPs per token (the convention of flops.h):
//   attention projections : 2 * (3d * d + d * d) = 8 d^2 per layer
//   attention scores      : causal, averaged over positions: 2 d (T + 1) per layer
//   router                : 2 d * router outputs per MoE layer
//   dense FFN             : 4 d d_dense (GELU), 6 d d_dense (SwiGLU) per dense layer
//   LM head               : 2 d V
//   experts               : 4 d (GELU), 6 d (SwiGLU) per hidden unit of an assignment
//
// Parameters (no biases but the layer norms'):
//   V d (tied embedding) + T d (learned positions only)
//   + L (4 d^2 + 4 d)          attention and two layer norms per block
//   + (L - M) g d d_dense      dense FFNs
//   + M (R d + (E + S) g d f)  routers and experts
//   + 2 d (final norm) + M (soft_topk's learned per-layer k)
//
// Activations a training forward pass keeps per token for its backward (memory.h), with
// u = 2 values kept per FFN hidden unit (GELU: its input and output) or 4 (SwiGLU: both
// projections, the gate's activation and their product):
//   per block 9 d: layer-norm inputs and outputs (4 d), q, k, v (3 d), the attention
//     output and its re-laid copy (2 d); rope adds the rotated q and k (2 d)
//   per dense FFN u d_dense
//   per MoE layer 3 R (logits, probabilities, gates) + k (2 d + u f): each assignment's
//     gathered input and weighted output, and its hidden units
//   embedding, final norm input and output: 3 d
// Attention scores are never stored (scaled_dot_product_attention's flash and memory-
// efficient kernels keep one log-sum-exp per head and position, counted in neither).
#include "core/spec/config.h"
#include "core/spec/model_family.h"
#include "core/spec/router_soft_topk.h"

namespace mose::core::spec {
namespace {

bool is_swiglu(const ModelConfig& config) { return config.activation == "swiglu"; }

double ffn_flops_per_hidden_unit(const ModelConfig& config) { return (is_swiglu(config) ? 6.0 : 4.0) * config.d_model; }

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

double parameters(const ModelConfig& config) {
  const double d = config.d_model, layers = config.n_layer, moe = config.n_moe_layers();
  const double matrices = is_swiglu(config) ? 3.0 : 2.0;
  const double experts = static_cast<double>(config.routed_experts()) + config.shared_experts();
  double n = static_cast<double>(config.vocab_size) * d;
  if (config.positions == "learned") n += static_cast<double>(config.seq_len) * d;
  n += layers * (4.0 * d * d + 4.0 * d);
  n += (layers - moe) * matrices * d * config.dense_d_ff;
  n += moe * (config.router_outputs() * d + experts * matrices * d * config.expert_d_ff());
  n += 2.0 * d;
  if (learns_k(config.router)) n += moe;
  return n;
}

double activations_per_token(const ModelConfig& config) {
  const double d = config.d_model, layers = config.n_layer, moe = config.n_moe_layers();
  const double units = is_swiglu(config) ? 4.0 : 2.0;  // kept per hidden unit
  const double block = config.positions == "rope" ? 11.0 * d : 9.0 * d;
  const double dense = units * config.dense_d_ff;
  const double routed =
      3.0 * config.router_outputs() + config.nominal_experts_per_token() * (2.0 * d + units * config.expert_d_ff());
  return layers * block + (layers - moe) * dense + moe * routed + 3.0 * d;
}

ModelFamily gpt() {
  ModelFamily family;
  family.name = "gpt";
  family.summary = "GPT-style pre-LN decoder, tied embeddings, slimmable-expert MoE FFNs every moe_stride layers";
  family.non_expert_flops = non_expert_flops;
  family.expert_flops_per_hidden_unit = ffn_flops_per_hidden_unit;
  family.parameters = parameters;
  family.activations_per_token = activations_per_token;
  return family;
}

const Registration<ModelFamily> kRegistered(model_families(), gpt());

}  // namespace
}  // namespace mose::core::spec

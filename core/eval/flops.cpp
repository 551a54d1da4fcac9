#include "core/eval/flops.h"

namespace mose::core {

double expert_flops_per_hidden_unit(const ModelConfig& config) {
  const double d = config.d_model;
  return (config.activation == "swiglu" ? 6.0 : 4.0) * d;
}

FlopsBreakdown non_expert_flops_per_token(const ModelConfig& config, int64_t seq_len) {
  const double d = config.d_model, layers = config.n_layer, moe = config.n_moe_layers();
  const double dense_per_unit = (config.activation == "swiglu" ? 6.0 : 4.0) * d;
  FlopsBreakdown f;
  f.attention_projections = layers * 8.0 * d * d;
  f.attention_scores = layers * 2.0 * d * static_cast<double>(seq_len + 1);
  f.router = moe * 2.0 * d * config.router_outputs();
  f.dense_ffn = (layers - moe) * dense_per_unit * config.dense_d_ff;
  f.lm_head = 2.0 * d * static_cast<double>(config.vocab_size);
  return f;
}

FlopsBreakdown flops_per_token(const ModelConfig& config, int64_t seq_len, int64_t hidden_units_computed,
                               int64_t tokens) {
  FlopsBreakdown f = non_expert_flops_per_token(config, seq_len);
  if (tokens > 0) {
    f.experts = expert_flops_per_hidden_unit(config) * static_cast<double>(hidden_units_computed) /
                static_cast<double>(tokens);
  }
  return f;
}

double full_width_expert_flops_per_token(const ModelConfig& config) {
  return expert_flops_per_hidden_unit(config) * config.expert_d_ff() * config.nominal_experts_per_token() *
         config.n_moe_layers();
}

double achieved_width_budget(const std::vector<MoeLayerStats>& layers, int64_t expert_d_ff) {
  double used = 0, full = 0;
  for (const MoeLayerStats& s : layers) {
    used += static_cast<double>(s.hidden_units);
    full += static_cast<double>(s.computed() + s.shared_assignments) * static_cast<double>(expert_d_ff);
  }
  return full > 0 ? used / full : 0.0;
}

}  // namespace mose::core

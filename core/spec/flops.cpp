// FLOPs per token through the model family's counting (see flops.h, family_<name>.cpp).
#include "core/spec/flops.h"

#include "core/spec/model_family.h"

namespace mose::core::spec {

double expert_flops_per_hidden_unit(const ModelConfig& config) {
  return model_family(config).expert_flops_per_hidden_unit(config);
}

FlopsBreakdown non_expert_flops_per_token(const ModelConfig& config, int64_t seq_len) {
  return model_family(config).non_expert_flops(config, seq_len);
}

FlopsBreakdown flops_per_token(const ModelConfig& config, int64_t seq_len, int64_t hidden_units_computed,
                               int64_t tokens) {
  FlopsBreakdown f = non_expert_flops_per_token(config, seq_len);
  if (tokens > 0) {
    f.experts =
        expert_flops_per_hidden_unit(config) * static_cast<double>(hidden_units_computed) / static_cast<double>(tokens);
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

}  // namespace mose::core::spec

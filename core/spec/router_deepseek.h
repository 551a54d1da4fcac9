// Routing regime "deepseek": fine-grained and shared experts (DeepSeekMoE, Dai et al.
// 2024). E experts become m*E experts of d_ff/m hidden units (m = granularity); K_s of
// them are shared (always on) and the other m*E - K_s are routed, top-(m*top_k - K_s):
// m*top_k fine experts per token, the compute of top_k full experts.
#pragma once

#include "core/spec/config.h"

namespace mose::core::spec {

struct DeepseekRouting {
  int granularity;        // m
  int shared_experts;     // K_s
  bool shared_slimmable;  // shared experts run at the token's mean routed width (else full)
};

DeepseekRouting deepseek_routing(const RouterConfig& router);

}  // namespace mose::core::spec

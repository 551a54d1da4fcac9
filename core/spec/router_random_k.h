// Routing regime "random_k": in training each forward pass (or each layer of it) draws k
// uniformly in [k_min, k_max] and routes top-k; at inference it routes top_k, or any k a
// uniform_k policy asks for (Matryoshka MoE): one model, many experts-per-token budgets.
#pragma once

#include <string>

#include "core/spec/config.h"

namespace mose::core::spec {

struct RandomKRouting {
  int k_min;
  int k_max;
  std::string k_granularity;  // "batch": one k per forward pass; "layer": one per layer and pass
};

RandomKRouting random_k_routing(const RouterConfig& router);

}  // namespace mose::core::spec

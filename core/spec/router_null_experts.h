// Routing regime "null_experts": top-k over the E real experts plus n zero-compute null
// experts (AdaMoE, Zeng et al. 2024); a slot that picks a null expert computes nothing,
// so tokens use a variable number of real experts. A null-usage loss steers a target
// share of the slots to null experts.
#pragma once

#include "core/spec/config.h"

namespace mose::core::spec {

struct NullExpertRouting {
  int null_experts;       // n
  double null_target;     // share of the top_k slots the null loss steers to null experts
  double null_loss_coef;  // its weight
};

NullExpertRouting null_expert_routing(const RouterConfig& router);

}  // namespace mose::core::spec

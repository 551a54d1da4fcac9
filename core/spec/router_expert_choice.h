// Routing regime "expert_choice": each expert takes its top-C tokens of a sequence
// (Zhou et al. 2022), C = ceil(c * S / E) for S tokens per sequence and E experts, so
// tokens use c experts on average (model.router.expert_capacity = c).
#pragma once

#include "core/spec/config.h"

namespace mose::core::spec {

struct ExpertChoiceRouting {
  double expert_capacity;  // c
};

ExpertChoiceRouting expert_choice_routing(const RouterConfig& router);

}  // namespace mose::core::spec

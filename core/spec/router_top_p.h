// Routing regime "top_p": each token takes the fewest experts whose router probabilities
// reach p, at most model.router.top_k of them (Huang et al. 2024, "Harder Tasks Need More
// Experts"), with an optional router-entropy regulariser that favours fewer experts.
#pragma once

#include "core/spec/config.h"

namespace mose::core::spec {

struct TopPRouting {
  double top_p;              // probability mass the chosen experts must reach
  double entropy_loss_coef;  // weight of the router-entropy regulariser
};

TopPRouting top_p_routing(const RouterConfig& router);

}  // namespace mose::core::spec

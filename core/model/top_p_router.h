// Top-p dynamic routing ("Harder tasks need more experts", Huang et al. 2024): each token
// uses the fewest experts whose sorted probabilities reach p, at most k_max = top_k:
//   sorted p_(1) >= p_(2) >= ...;  expert (j) is used iff j <= k_max and sum_{i<j} p_(i) < p.
// Gates are the chosen probabilities, renormalised over the chosen ones when `renormalize`.
// Losses: the Switch balance loss over the chosen assignments, the z-loss, and an optional
// entropy regulariser entropy_loss_coef * mean_t H(P_t): a peaked router reaches p with
// fewer experts, so the regulariser trades accuracy for compute.
#pragma once

#include "core/model/routing.h"
#include "core/spec/router_top_p.h"

namespace mose::core::model {

class TopPRouter : public LinearRouter {
 public:
  TopPRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override { return config_.top_k; }  // k_max; unused slots are -1

 private:
  spec::TopPRouting top_p_;
};

// Which of the sorted top-k probabilities are used: [T, k] bool. sorted_probs: [T, k] descending.
at::Tensor top_p_keep(const at::Tensor& sorted_probs, double p);

// Mean over tokens of the entropy of the router distribution (nats). probs: [T, E].
at::Tensor router_entropy(const at::Tensor& probs);

}  // namespace mose::core::model

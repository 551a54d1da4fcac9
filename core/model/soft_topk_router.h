// Soft top-k routing with a learned budget (SoftMoE-style weights through the LapSum
// relaxation, core/model/soft_topk.h). Per token, router logits z are standardised,
// r = (z - mean z) / std z, so alpha has the same meaning at any logit scale; then
//   p = laplace_soft_topk(r, k_l, alpha),  sum_i p_i = k_l,
// where k_l is this layer's budget: learned by the model under the global constraint
// mean_l k_l = top_k (Gpt holds the shared parameters and passes k_l in RouteOptions), or
// top_k itself when learn_k is off. Truncation: expert i runs for a token only if
// p_i >= soft_threshold; its gate is p_i / k_l, so the gates of a crisp top-k sum to 1.
// Gradients reach the router through p and reach k_l through the threshold b.
// Losses: Switch balance loss on softmax(z) and the computed assignments, z-loss.
#pragma once

#include "core/model/routing.h"
#include "core/spec/router_soft_topk.h"

namespace mose::core::model {

class SoftTopKRouter : public LinearRouter {
 public:
  SoftTopKRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override { return n_experts_; }  // slot e of a token is expert e

 private:
  spec::SoftTopKRouting soft_;  // read once: route() runs every layer of every forward
};

// Per-layer budgets k_l = clamp(K * L * softmax(theta)_l, 0.05, E - 0.05): mean K while no
// clamp is active. theta: [L] (zeros = K everywhere).
at::Tensor soft_topk_layer_budgets(const at::Tensor& theta, double mean_k, int64_t n_experts);

}  // namespace mose::core::model

#include "core/model/top_p_router.h"

#include <ATen/ATen.h>

namespace mose::core::model {

at::Tensor top_p_keep(const at::Tensor& sorted_probs, double p) {
  at::Tensor mass_before = sorted_probs.cumsum(-1) - sorted_probs;  // sum_{i<j} p_(i)
  return mass_before.lt(p);                                         // the first expert always has mass_before = 0 < p
}

at::Tensor router_entropy(const at::Tensor& probs) { return -(probs * probs.clamp_min(1e-30).log()).sum(-1).mean(); }

TopPRouter::TopPRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init)
    : LinearRouter(config, d_model, n_experts, init), top_p_(spec::top_p_routing(config)) {}

RoutingDecision TopPRouter::route(const at::Tensor& x, const RouteOptions& options) {
  at::Tensor logits = compute_logits(x, options);
  RoutingDecision d;
  d.probs = at::softmax(logits, -1);
  auto [top_prob, top_index] = d.probs.topk(config_.top_k, -1);  // sorted, descending
  const at::Tensor keep = top_p_keep(top_prob.detach(), top_p_.top_p);
  at::Tensor kept_prob = top_prob * keep;
  at::Tensor gate = config_.renormalize ? kept_prob / kept_prob.sum(-1, true) : kept_prob;
  d.expert_index = at::where(keep, top_index, at::full_like(top_index, -1));
  d.gate = gate;
  d.balance_loss = switch_balance_loss(d.probs, expert_counts(d.expert_index, n_experts_));
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.balance_loss * config_.balance_loss_coef + d.z_loss * config_.z_loss_coef;
  if (top_p_.entropy_loss_coef > 0) d.aux_loss = d.aux_loss + router_entropy(d.probs) * top_p_.entropy_loss_coef;
  return d;
}

const RouterRegistration<TopPRouter> kRegistered("top_p");

}  // namespace mose::core::model

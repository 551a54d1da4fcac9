#include "core/model/null_expert_router.h"

#include <ATen/ATen.h>

namespace mose::core::model {

at::Tensor null_usage_loss(const at::Tensor& null_slots, const at::Tensor& probs_all, int64_t n_real, double target) {
  const at::Tensor usage = null_slots.to(probs_all.scalar_type()).mean();  // f_null, a constant
  const at::Tensor null_mass = probs_all.narrow(1, n_real, probs_all.size(1) - n_real).sum(-1).mean();
  return (usage - target) * null_mass;
}

NullExpertRouter::NullExpertRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init)
    : LinearRouter(config, d_model, n_experts, init, spec::null_expert_routing(config).null_experts),
      null_(spec::null_expert_routing(config)) {}

RoutingDecision NullExpertRouter::route(const at::Tensor& x, const RouteOptions& options) {
  at::Tensor logits = compute_logits(x, options);  // [T, E + n]
  at::Tensor probs_all = at::softmax(logits, -1);
  auto [top_prob, top_index] = probs_all.topk(config_.top_k, -1);
  RoutingDecision d;
  d.null_slots = top_index.ge(n_experts_);
  d.expert_index = at::where(d.null_slots, at::full_like(top_index, -1), top_index);
  at::Tensor gate = config_.renormalize ? top_prob / top_prob.sum(-1, true) : top_prob;
  d.gate = at::where(d.null_slots, at::zeros_like(gate), gate);
  at::Tensor real = probs_all.narrow(1, 0, n_experts_);
  d.probs = real;  // [T, E]: probabilities of the computing experts; the rest is null mass
  at::Tensor real_normalised = real / real.sum(-1, true).clamp_min(1e-30);
  d.balance_loss = switch_balance_loss(real_normalised, expert_counts(d.expert_index, n_experts_));
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.balance_loss * config_.balance_loss_coef + d.z_loss * config_.z_loss_coef +
               null_usage_loss(d.null_slots, probs_all, n_experts_, null_.null_target) * null_.null_loss_coef;
  return d;
}

const RouterRegistration<NullExpertRouter> kRegistered("null_experts");

}  // namespace mose::core::model

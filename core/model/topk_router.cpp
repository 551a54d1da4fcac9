#include "core/model/topk_router.h"

#include <ATen/ATen.h>

#include "kernels/router_topk.h"

namespace mose::core::model {

TopKRouter::TopKRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init)
    : LinearRouter(config, d_model, n_experts, init) {}

RoutingDecision TopKRouter::route(const at::Tensor& x, const RouteOptions& options) {
  at::Tensor logits = compute_logits(x, options);
  RoutingDecision d;
  // Softmax and selection are one kernel on GPU (one pass, no host sync); gates are
  // gathered from the probabilities so the router still receives gradients through them.
  kernels::SoftmaxTopK fused = kernels::softmax_select_top_experts(logits, config_.top_k);
  d.probs = fused.probs;
  const kernels::TopKSelection& selection = fused.selection;
  const at::Tensor& top_index = selection.top_index;
  at::Tensor top_prob = d.probs.gather(1, top_index);
  at::Tensor gate = config_.renormalize ? top_prob / top_prob.sum(-1, true) : top_prob;
  d.balance_loss = switch_balance_loss(d.probs, selection.expert_counts);
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.balance_loss * config_.balance_loss_coef + d.z_loss * config_.z_loss_coef;
  const double capacity = options.training ? config_.capacity_factor_train : config_.capacity_factor_eval;
  d.expert_index = apply_capacity(top_index, n_experts_, capacity);
  if (capacity > 0) d.capacity_dropped = d.expert_index.lt(0);
  d.gate = at::where(d.expert_index.ge(0), gate, at::zeros_like(gate));
  return d;
}

const RouterRegistration<TopKRouter> kRegistered("topk");

}  // namespace mose::core::model

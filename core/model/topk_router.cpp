#include "core/model/topk_router.h"

#include <ATen/ATen.h>

#include "core/model/autocast_guard.h"
#include "kernels/router_topk.h"

namespace mose::core {

TopKRouter::TopKRouter(const RouterConfig& config, int d_model, int n_experts, at::Generator& init)
    : config_(config), n_experts_(n_experts) {
  weight_ = register_parameter("weight", at::empty({n_experts, d_model}).normal_(0.0, 0.02, init));
}

RoutingDecision TopKRouter::route(const at::Tensor& x, const RouteOptions& options) {
  AutocastDisabled fp32_routing;  // routing is precision-sensitive: always fp32
  at::Tensor logits = at::linear(x.to(at::kFloat), weight_.to(at::kFloat));  // [T, E]
  if (options.training && config_.noise_std > 0) {
    TORCH_CHECK(options.generator.has_value(), "TopKRouter: router noise needs a generator");
    // Drawn on the CPU generator and moved, so a run's noise is the same on every device.
    at::Tensor noise = at::randn(logits.sizes(), *options.generator, at::TensorOptions().dtype(at::kFloat));
    logits = logits + noise.to(logits.device()) * config_.noise_std;
  }
  RoutingDecision d;
  d.probs = at::softmax(logits, -1);
  // Selection is fused (one pass, no host sync) on GPU; gates are gathered from the
  // probabilities so the router still receives gradients through them.
  kernels::TopKSelection selection = kernels::select_top_experts(d.probs.detach(), config_.top_k);
  const at::Tensor& top_index = selection.top_index;
  at::Tensor top_prob = d.probs.gather(1, top_index);
  at::Tensor gate = config_.renormalize ? top_prob / top_prob.sum(-1, true) : top_prob;
  d.balance_loss = switch_balance_loss(d.probs, selection.expert_counts);
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.balance_loss * config_.balance_loss_coef + d.z_loss * config_.z_loss_coef;
  const double capacity = options.training ? config_.capacity_factor_train : config_.capacity_factor_eval;
  d.expert_index = apply_capacity(top_index, n_experts_, capacity);
  d.gate = at::where(d.expert_index.ge(0), gate, at::zeros_like(gate));
  return d;
}

}  // namespace mose::core

#include "core/model/soft_topk_router.h"

#include <ATen/ATen.h>

#include "core/model/soft_topk.h"

namespace mose::core::model {

at::Tensor soft_topk_layer_budgets(const at::Tensor& theta, double mean_k, int64_t n_experts) {
  const double layers = static_cast<double>(theta.numel());
  return (at::softmax(theta.to(at::kFloat), 0) * (mean_k * layers)).clamp(0.05, static_cast<double>(n_experts) - 0.05);
}

SoftTopKRouter::SoftTopKRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init)
    : LinearRouter(config, d_model, n_experts, init), soft_(spec::soft_topk_routing(config)) {}

RoutingDecision SoftTopKRouter::route(const at::Tensor& x, const RouteOptions& options) {
  at::Tensor logits = compute_logits(x, options);  // [T, E]
  at::Tensor k = options.layer_k.defined() ? options.layer_k.to(at::kFloat).to(logits.device())
                                           : at::full({}, static_cast<double>(config_.top_k), logits.options());
  at::Tensor centred = logits - logits.mean(-1, true);
  at::Tensor r = centred / (centred.pow(2).mean(-1, true).sqrt() + 1e-6);
  at::Tensor p = laplace_soft_topk(r, k, soft_.soft_alpha).weights;  // [T, E], rows sum to k
  at::Tensor runs = p.detach().ge(soft_.soft_threshold);
  at::Tensor experts = at::arange(n_experts_, x.options().dtype(at::kLong)).expand({x.size(0), n_experts_});
  RoutingDecision d;
  d.probs = at::softmax(logits, -1);
  d.expert_index = at::where(runs, experts, at::full_like(experts, -1));
  d.gate = at::where(runs, p / k, at::zeros_like(p));
  d.balance_loss = switch_balance_loss(d.probs, expert_counts(d.expert_index, n_experts_));
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.balance_loss * config_.balance_loss_coef + d.z_loss * config_.z_loss_coef;
  return d;
}

const RouterRegistration<SoftTopKRouter> kRegistered("soft_topk");

}  // namespace mose::core::model

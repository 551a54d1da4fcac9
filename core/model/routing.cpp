// Router losses, capacity, shared helpers, and the registry of router factories.
#include "core/model/routing.h"

#include <ATen/ATen.h>

#include <cmath>

#include "base/errors.h"
#include "core/model/autocast_guard.h"

namespace mose::core::model {

at::Tensor switch_balance_loss(const at::Tensor& probs, const at::Tensor& expert_counts) {
  const int64_t n_experts = probs.size(1);
  at::Tensor share = expert_counts.to(probs.scalar_type()) / expert_counts.sum().clamp_min(1).to(probs.scalar_type());
  return (share * probs.mean(0)).sum() * static_cast<double>(n_experts);
}

at::Tensor router_z_loss(const at::Tensor& logits) { return at::logsumexp(logits, -1).pow(2).mean(); }

at::Tensor apply_capacity(const at::Tensor& top_index, int64_t n_experts, double capacity_factor) {
  if (capacity_factor <= 0) return top_index;
  const int64_t tokens = top_index.size(0), k = top_index.size(1);
  const auto capacity = static_cast<int64_t>(std::ceil(capacity_factor * static_cast<double>(tokens * k) / n_experts));
  at::Tensor slot_major = top_index.t().reshape({-1});  // [k*T]
  // Empty slots (-1) get their own column, which is cut off: they queue for no expert.
  at::Tensor one_hot = at::one_hot(slot_major + 1, n_experts + 1).narrow(1, 1, n_experts);  // [k*T, E]
  at::Tensor position = (one_hot.cumsum(0) * one_hot).sum(1) - 1;    // place in its expert's queue; -1 if empty
  at::Tensor kept = position.lt(capacity).reshape({k, tokens}).t();  // [T, k]
  return at::where(kept, top_index, at::full_like(top_index, -1));
}

at::Tensor router_logits(const at::Tensor& x, const at::Tensor& weight, const spec::RouterConfig& config,
                         const RouteOptions& options) {
  AutocastDisabled fp32_routing;  // routing is precision-sensitive: always fp32
  at::Tensor logits = at::linear(x.to(at::kFloat), weight.to(at::kFloat));  // [T, outputs]
  if (options.training && config.noise_std > 0) {
    TORCH_CHECK(options.generator.has_value(), "router: router noise needs a generator");
    // Drawn on the CPU generator and moved, so a run's noise is the same on every device.
    at::Tensor noise = at::randn(logits.sizes(), *options.generator, at::TensorOptions().dtype(at::kFloat));
    logits = logits + noise.to(logits.device()) * config.noise_std;
  }
  return logits;
}

LinearRouter::LinearRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init,
                           int extra_outputs)
    : config_(config), n_experts_(n_experts) {
  weight_ = register_parameter("weight", at::empty({n_experts + extra_outputs, d_model}).normal_(0.0, 0.02, init));
}

at::Tensor LinearRouter::compute_logits(const at::Tensor& x, const RouteOptions& options) const {
  return router_logits(x, weight_, config_, options);
}

at::Tensor expert_counts(const at::Tensor& expert_index, int64_t n_experts) {
  // Shifted by one so empty slots (-1) land in a bin that is cut off; no host sync.
  at::Tensor flat = expert_index.reshape({-1}) + 1;
  at::Tensor counts = at::zeros({n_experts + 1}, expert_index.options());
  counts.scatter_add_(0, flat, at::ones_like(flat));
  return counts.narrow(0, 1, n_experts);
}

void Router::set_inference_k(int k) {
  throw std::logic_error("set_inference_k(" + std::to_string(k) + ") on a router that serves only its own k");
}

spec::Registry<RouterFactory>& router_factories() {
  static spec::Registry<RouterFactory> registry("router", "model.router.type");
  return registry;
}

std::shared_ptr<Router> make_router(const spec::ModelConfig& model, at::Generator& init) {
  return router_factories().at(model.router.type).make(model, init);
}

}  // namespace mose::core::model

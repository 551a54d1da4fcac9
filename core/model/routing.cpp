// Router losses, capacity, and the registry of routers.
#include "core/model/routing.h"

#include <ATen/ATen.h>

#include <cmath>

#include "base/errors.h"
#include "core/model/topk_router.h"

namespace mose::core {

at::Tensor switch_balance_loss(const at::Tensor& probs, const at::Tensor& expert_counts) {
  const int64_t n_experts = probs.size(1);
  at::Tensor share = expert_counts.to(probs.scalar_type()) / expert_counts.sum().to(probs.scalar_type());
  return (share * probs.mean(0)).sum() * static_cast<double>(n_experts);
}

at::Tensor router_z_loss(const at::Tensor& logits) { return at::logsumexp(logits, -1).pow(2).mean(); }

at::Tensor apply_capacity(const at::Tensor& top_index, int64_t n_experts, double capacity_factor) {
  if (capacity_factor <= 0) return top_index;
  const int64_t tokens = top_index.size(0), k = top_index.size(1);
  const auto capacity = static_cast<int64_t>(std::ceil(capacity_factor * static_cast<double>(tokens * k) / n_experts));
  at::Tensor slot_major = top_index.t().reshape({-1});                       // [k*T]
  at::Tensor one_hot = at::one_hot(slot_major, n_experts);                   // [k*T, E]
  at::Tensor position = (one_hot.cumsum(0) * one_hot).sum(1) - 1;           // place in its expert's queue
  at::Tensor kept = position.lt(capacity).reshape({k, tokens}).t();          // [T, k]
  return at::where(kept, top_index, at::full_like(top_index, -1));
}

std::vector<std::string> known_routers() { return {"topk"}; }

std::shared_ptr<Router> make_router(const RouterConfig& config, int d_model, int n_experts, at::Generator& init) {
  if (config.type == "topk") return std::make_shared<TopKRouter>(config, d_model, n_experts, init);
  std::string known;
  for (const auto& name : known_routers()) known += (known.empty() ? "" : ", ") + name;
  throw ConfigError("model.router.type: unknown router '" + config.type + "'; known: " + known);
}

}  // namespace mose::core

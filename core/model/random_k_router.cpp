#include "core/model/random_k_router.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <random>

#include "base/errors.h"

namespace mose::core::model {

RandomKRouter::RandomKRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init)
    : LinearRouter(config, d_model, n_experts, init),
      random_(spec::random_k_routing(config)),
      inference_k_(config.top_k) {}

int RandomKRouter::slots() const { return std::max({random_.k_max, config_.top_k, inference_k_}); }

void RandomKRouter::set_inference_k(int k) {
  if (k < 1 || k > n_experts_) {
    throw ConfigError("random_k: inference k = " + std::to_string(k) + ": expected 1 to " + std::to_string(n_experts_));
  }
  inference_k_ = k;
}

int RandomKRouter::draw_k(const RouteOptions& options) const {
  if (!options.training) return inference_k_;
  const int span = random_.k_max - random_.k_min + 1;
  if (random_.k_granularity == "batch") {
    std::mt19937_64 rng(options.pass_seed);
    return random_.k_min + static_cast<int>(std::uniform_int_distribution<int>(0, span - 1)(rng));
  }
  TORCH_CHECK(options.generator.has_value(), "RandomKRouter: per-layer k needs a generator in training");
  at::Tensor draw = at::randint(span, {1}, *options.generator, at::TensorOptions().dtype(at::kLong));
  return random_.k_min + static_cast<int>(draw.item<int64_t>());
}

RoutingDecision RandomKRouter::route(const at::Tensor& x, const RouteOptions& options) {
  const int k = draw_k(options);
  last_k_ = k;
  at::Tensor logits = compute_logits(x, options);
  RoutingDecision d;
  d.probs = at::softmax(logits, -1);
  auto [top_prob, top_index] = d.probs.topk(k, -1);
  at::Tensor gate = config_.renormalize ? top_prob / top_prob.sum(-1, true) : top_prob;
  d.balance_loss = switch_balance_loss(d.probs, expert_counts(top_index, n_experts_));
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.balance_loss * config_.balance_loss_coef + d.z_loss * config_.z_loss_coef;
  const double capacity = options.training ? config_.capacity_factor_train : config_.capacity_factor_eval;
  at::Tensor kept = apply_capacity(top_index, n_experts_, capacity);
  gate = at::where(kept.ge(0), gate, at::zeros_like(gate));
  const int64_t empty = slots() - k;  // pad to a fixed slot count
  if (capacity > 0) d.capacity_dropped = at::constant_pad_nd(kept.lt(0).to(at::kLong), {0, empty}, 0).to(at::kBool);
  d.expert_index = at::constant_pad_nd(kept, {0, empty}, -1);
  d.gate = at::constant_pad_nd(gate, {0, empty}, 0);
  return d;
}

const RouterRegistration<RandomKRouter> kRegistered("random_k");

}  // namespace mose::core::model

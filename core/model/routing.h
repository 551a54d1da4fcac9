// Routing decisions and the router interface. A router maps token states to the
// experts each token uses and their combine weights, plus its auxiliary losses.
// Routers are chosen by name (RouterConfig::type) through make_router().
#pragma once

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace mose::core {

struct RoutingDecision {
  at::Tensor expert_index;  // [T, k] int64; -1 = assignment not computed (dropped by capacity)
  at::Tensor gate;          // [T, k] float32 combine weights (0 where not computed)
  at::Tensor probs;         // [T, E] float32 router probabilities
  at::Tensor balance_loss;  // scalar, unweighted Switch load-balancing loss
  at::Tensor z_loss;        // scalar, unweighted router z-loss
  at::Tensor aux_loss;      // scalar, the weighted sum training adds to the LM loss
};

struct RouteOptions {
  bool training = false;
  std::optional<at::Generator> generator;  // router noise; required when noise is on in training
};

class Router : public torch::nn::Module {
 public:
  // x: [T, d_model] -> decision over T tokens.
  virtual RoutingDecision route(const at::Tensor& x, const RouteOptions& options) = 0;
  virtual int slots() const = 0;  // k: assignments per token
};

std::shared_ptr<Router> make_router(const RouterConfig& config, int d_model, int n_experts, at::Generator& init);
std::vector<std::string> known_routers();

// Switch load-balancing loss generalised to top-k (Fedus et al. 2021, eq. 4):
//   L = E * sum_e f_e * P_e,  f_e = share of the T*k assignments routed to e (before capacity),
//   P_e = mean over tokens of the router probability of e. Equals 1 under perfect balance.
// expert_counts: [E] assignments per expert (kernels::select_top_experts gives them).
at::Tensor switch_balance_loss(const at::Tensor& probs, const at::Tensor& expert_counts);

// Router z-loss (Zoph et al. 2022): mean over tokens of logsumexp(logits)^2.
at::Tensor router_z_loss(const at::Tensor& logits);

// Drops assignments beyond each expert's capacity C = ceil(cf * T * k / E). Priority is
// slot-major (every token's first choice before any second choice), then token order,
// as in GShard/Switch. Returns top_index with dropped entries set to -1.
at::Tensor apply_capacity(const at::Tensor& top_index, int64_t n_experts, double capacity_factor);

}  // namespace mose::core

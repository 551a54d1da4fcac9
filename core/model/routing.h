// Routing decisions and the router interface. A router maps token states to the
// experts each token uses and their combine weights, plus its auxiliary losses.
// Routers are built by name (RouterConfig::type) through make_router(): this is the
// torch half of the routing-regime extension point, whose descriptors live in
// core/spec/routing_regime.h. Each regime's router file registers its factory under the
// descriptor's name; the two registries name the same regimes (tested).
#pragma once

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/spec/config.h"
#include "core/spec/registry.h"

namespace mose::core::model {

// S = slots per token (Router::slots()). Slot j of token t computes expert
// expert_index[t, j] with weight gate[t, j], or nothing when expert_index is -1: dropped by
// capacity, not chosen (variable-k regimes leave slots empty), or a null expert.
struct RoutingDecision {
  at::Tensor expert_index;      // [T, S] int64 in [0, routed experts) or -1 = nothing computed
  at::Tensor gate;              // [T, S] float32 combine weights (0 where nothing is computed)
  at::Tensor probs;             // [T, E] float32 router probabilities of the E routed (computing) experts
  at::Tensor null_slots;        // [T, S] bool: the slot chose a null expert (null_experts only; else undefined)
  at::Tensor capacity_dropped;  // [T, S] bool: chosen but dropped by capacity (undefined = nothing dropped)
  at::Tensor balance_loss;      // scalar, unweighted load-balancing loss
  at::Tensor z_loss;            // scalar, unweighted router z-loss
  at::Tensor aux_loss;          // scalar, the weighted sum of every router loss training adds to the LM loss
};

struct RouteOptions {
  bool training = false;
  std::optional<at::Generator> generator;  // router noise, random k; required for those in training
  // A value drawn once per forward pass and shared by every layer's router, for draws that
  // must agree across layers (random_k with k_granularity = "batch").
  uint64_t pass_seed = 0;
  // Tokens per sequence: x holds T / group_size sequences, token-major. Expert choice picks
  // tokens within each sequence, so a sequence's routing never depends on the rest of its batch.
  int64_t group_size = 0;
  at::Tensor layer_k;  // soft_topk: this layer's k (a differentiable scalar), from the model's budget
};

class Router : public torch::nn::Module {
 public:
  // x: [T, d_model] -> decision over T tokens.
  virtual RoutingDecision route(const at::Tensor& x, const RouteOptions& options) = 0;
  virtual int slots() const = 0;  // S: assignment slots per token
  // Experts per token at inference, for the regimes whose descriptor says serves_any_k;
  // others never receive it (the engine checks the descriptor first).
  virtual void set_inference_k(int k);
};

// The routers in this folder: a linear map from token states to router logits, plus a
// rule turning logits into a RoutingDecision. Holds what they share.
class LinearRouter : public Router {
 protected:
  // weight: [n_experts + extra_outputs, d_model] (extra outputs: null experts), drawn from `init`.
  LinearRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init,
               int extra_outputs = 0);
  // x: [T, d_model] -> [T, outputs] in fp32, with training noise (router_logits below).
  at::Tensor compute_logits(const at::Tensor& x, const RouteOptions& options) const;

  spec::RouterConfig config_;
  int n_experts_;      // routed (computing) experts
  at::Tensor weight_;  // fp32 always
};

// Builds a regime's router for `model` (its routed experts and router outputs), its
// weights drawn from `init`.
struct RouterFactory {
  std::string name;  // the regime's descriptor name
  std::function<std::shared_ptr<Router>(const spec::ModelConfig& model, at::Generator& init)> make;

  void check() const { spec::require_callback(bool(make), "router", name, "make"); }
};

spec::Registry<RouterFactory>& router_factories();

// The router of model.router.type; ConfigError listing the known ones when none is registered.
std::shared_ptr<Router> make_router(const spec::ModelConfig& model, at::Generator& init);

// Registers RouterClass, built as RouterClass(config.router, d_model, routed experts, init),
// under `name`: define one at namespace scope in the router's own file.
template <typename RouterClass>
struct RouterRegistration {
  explicit RouterRegistration(const char* name) {
    router_factories().add({name, [](const spec::ModelConfig& model, at::Generator& init) -> std::shared_ptr<Router> {
                              return std::make_shared<RouterClass>(model.router, model.d_model, model.routed_experts(),
                                                                   init);
                            }});
  }
};

// Router logits in fp32, with Gaussian noise of std config.noise_std in training.
// x: [T, d_model], weight: [outputs, d_model] -> [T, outputs].
at::Tensor router_logits(const at::Tensor& x, const at::Tensor& weight, const spec::RouterConfig& config,
                         const RouteOptions& options);

// Per-expert assignment counts of [T, S] indices (-1 ignored): [n_experts] int64.
at::Tensor expert_counts(const at::Tensor& expert_index, int64_t n_experts);

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

}  // namespace mose::core::model

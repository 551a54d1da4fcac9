// Random-k training (Matryoshka MoE, Wang et al. 2025): top-k token choice where k is drawn
// uniformly from [k_min, k_max] during training, so one model serves any k at inference.
// k_granularity "batch" draws one k per forward pass, shared by every layer (from
// RouteOptions::pass_seed); "layer" draws one per layer and pass (from the generator).
// At inference k = top_k, or what set_inference_k() chose. Slots = max(k_max, top_k); the
// slots past the drawn k are empty (-1). Gates are renormalised over the first k; losses
// and capacity as in top-k, computed for the drawn k.
#pragma once

#include "core/model/routing.h"
#include "core/spec/router_random_k.h"

namespace mose::core::model {

class RandomKRouter : public LinearRouter {
 public:
  RandomKRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override;

  // Experts per token at inference (any k in [1, slots()]).
  void set_inference_k(int k) override;
  // The k the last route() used.
  int last_k() const { return last_k_; }

 private:
  int draw_k(const RouteOptions& options) const;

  spec::RandomKRouting random_;
  int inference_k_;
  int last_k_ = 0;
};

}  // namespace mose::core::model

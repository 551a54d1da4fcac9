// Top-k token-choice routing (Shazeer et al. 2017; Switch for k = 1): softmax over
// experts in fp32, the k most probable experts per token, gates optionally
// renormalised over those k, optional logit noise in training, capacity dropping.
#pragma once

#include "core/model/routing.h"

namespace mose::core {

class TopKRouter : public Router {
 public:
  TopKRouter(const RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override { return config_.top_k; }

 private:
  RouterConfig config_;
  int n_experts_;
  at::Tensor weight_;  // [E, d_model], fp32 always
};

}  // namespace mose::core

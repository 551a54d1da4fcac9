// Top-k token-choice routing (Shazeer et al. 2017; Switch for k = 1): softmax over
// experts in fp32, the k most probable experts per token, gates optionally
// renormalised over those k, optional logit noise in training, capacity dropping.
// Also the routed part of DeepSeekMoE (fine-grained experts, top-(m*K - K_s)): its
// expert-level balance loss, alpha * sum_i f_i P_i with f_i = N' / (K' T) * count_i,
// is the Switch loss below, since sum_i count_i = K' T.
#pragma once

#include "core/model/routing.h"

namespace mose::core::model {

class TopKRouter : public LinearRouter {
 public:
  TopKRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override { return config_.top_k; }
};

}  // namespace mose::core::model

// Null experts (AdaMoE, Zeng et al. 2024): the router scores E real experts plus n null
// experts that compute nothing, and each token takes its top-k over all E + n. A token
// whose slots go to null experts uses fewer real experts, so compute adapts per token
// while the top-k machinery stays fixed. Null slots have expert_index = -1 (nothing runs,
// and FLOPs count only real experts) and are flagged in RoutingDecision::null_slots.
// Gates are renormalised over all k chosen slots, null ones included (a null slot's
// share of the weight is simply dropped), as in AdaMoE.
//
// Losses:
// - balance: the Switch loss over the real experts (their probabilities renormalised to
//   sum to 1, their assignment counts);
// - null usage: L_null = (f_null - target) * P_null, where f_null is the measured share of
//   the T*k slots that chose a null expert (no gradient) and P_null the mean probability
//   mass on null experts. Its gradient pushes null mass down while usage is above the
//   target and up while it is below, so average null usage settles at `null_target`
//   (a Switch-style surrogate; f_null itself is not differentiable).
#pragma once

#include "core/model/routing.h"
#include "core/spec/router_null_experts.h"

namespace mose::core::model {

class NullExpertRouter : public LinearRouter {
 public:
  NullExpertRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override { return config_.top_k; }

 private:
  spec::NullExpertRouting null_;
};

// L_null = (f_null - target) * P_null (see above). null_slots: [T, k] bool, probs_all: [T, E + n].
at::Tensor null_usage_loss(const at::Tensor& null_slots, const at::Tensor& probs_all, int64_t n_real, double target);

}  // namespace mose::core::model

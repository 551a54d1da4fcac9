// Expert-choice routing (Zhou et al. 2022): experts pick tokens instead of tokens picking
// experts. With router probabilities P = softmax(x W^T) over experts (per token), each
// expert takes the C tokens of highest P[:, e] within each sequence of S tokens,
//   C = min(S, ceil(c * S / E)),  c = expert_capacity,
// so every expert is exactly full and a token is processed by 0..E experts (c on average),
// weighted by its probability. No load-balancing loss is needed (balance_loss = 0); the
// z-loss still applies.
//
// Batch formation: the choice is made within each sequence (RouteOptions::group_size),
// never across the batch, so a sequence's loss does not depend on which other sequences
// share its batch or on the evaluation batch size. It is still non-causal inside a
// sequence: whether token t is chosen depends on later tokens' scores, as in the paper.
#pragma once

#include "core/model/routing.h"
#include "core/spec/router_expert_choice.h"

namespace mose::core::model {

class ExpertChoiceRouter : public LinearRouter {
 public:
  ExpertChoiceRouter(const spec::RouterConfig& config, int d_model, int n_experts, at::Generator& init);
  RoutingDecision route(const at::Tensor& x, const RouteOptions& options) override;
  int slots() const override { return n_experts_; }  // slot e of a token is expert e

 private:
  spec::ExpertChoiceRouting expert_choice_;  // read once: route() runs every layer of every forward
};

// Tokens each expert takes from a sequence of `sequence_tokens`: min(S, ceil(c * S / E)).
int64_t expert_choice_capacity(double expert_capacity, int64_t sequence_tokens, int64_t n_experts);

}  // namespace mose::core::model

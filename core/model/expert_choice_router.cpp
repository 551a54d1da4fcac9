#include "core/model/expert_choice_router.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace mose::core::model {

int64_t expert_choice_capacity(double expert_capacity, int64_t sequence_tokens, int64_t n_experts) {
  const auto c = static_cast<int64_t>(
      std::ceil(expert_capacity * static_cast<double>(sequence_tokens) / static_cast<double>(n_experts) - 1e-9));
  return std::clamp<int64_t>(c, 1, sequence_tokens);
}

ExpertChoiceRouter::ExpertChoiceRouter(const spec::RouterConfig& config, int d_model, int n_experts,
                                       at::Generator& init)
    : LinearRouter(config, d_model, n_experts, init), expert_choice_(spec::expert_choice_routing(config)) {}

RoutingDecision ExpertChoiceRouter::route(const at::Tensor& x, const RouteOptions& options) {
  const int64_t tokens = x.size(0), e = n_experts_;
  const int64_t group = options.group_size > 0 ? options.group_size : tokens;
  TORCH_CHECK(tokens % group == 0, "ExpertChoiceRouter: ", tokens, " tokens are not whole sequences of ", group);
  at::Tensor logits = compute_logits(x, options);
  RoutingDecision d;
  d.probs = at::softmax(logits, -1);  // [T, E]
  const int64_t capacity = expert_choice_capacity(expert_choice_.expert_capacity, group, e);
  // [G, S, E] -> per (sequence, expert) the `capacity` best tokens.
  at::Tensor scores = d.probs.detach().view({tokens / group, group, e}).transpose(1, 2);  // [G, E, S]
  at::Tensor chosen_tokens = std::get<1>(scores.topk(capacity, -1));                      // [G, E, C]
  at::Tensor chosen = at::zeros_like(scores, scores.options().dtype(at::kBool));
  chosen.scatter_(2, chosen_tokens, true);
  chosen = chosen.transpose(1, 2).reshape({tokens, e});  // [T, E]: expert e processes token t
  at::Tensor experts = at::arange(e, x.options().dtype(at::kLong)).expand({tokens, e});
  d.expert_index = at::where(chosen, experts, at::full_like(experts, -1));
  d.gate = at::where(chosen, d.probs, at::zeros_like(d.probs));
  d.balance_loss = at::zeros({}, d.probs.options());
  d.z_loss = router_z_loss(logits);
  d.aux_loss = d.z_loss * config_.z_loss_coef;
  return d;
}

const RouterRegistration<ExpertChoiceRouter> kRegistered("expert_choice");

}  // namespace mose::core::model

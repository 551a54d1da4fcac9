#include "core/model/moe_layer.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/model/width_chooser.h"

namespace mose::core {
namespace {

MoeLayerStats usage_of(const RoutingDecision& routing, const at::Tensor& hidden_units, int64_t n_experts,
                       int64_t d_ff) {
  MoeLayerStats s;
  at::Tensor experts = routing.expert_index.reshape({-1}).cpu();
  at::Tensor units = hidden_units.reshape({-1}).cpu();
  s.tokens = routing.expert_index.size(0);
  s.assignments = experts.numel();
  s.tokens_per_expert.assign(n_experts, 0);
  s.width_histogram.assign(d_ff + 1, 0);
  const int64_t* e = experts.data_ptr<int64_t>();
  const int64_t* m = units.data_ptr<int64_t>();
  for (int64_t i = 0; i < s.assignments; ++i) {
    if (e[i] < 0) {
      ++s.dropped;
      continue;
    }
    ++s.tokens_per_expert[e[i]];
    s.hidden_units += m[i];
    ++s.width_histogram[m[i]];
  }
  return s;
}

}  // namespace

void MoeLayerStats::accumulate(const MoeLayerStats& other) {
  if (tokens_per_expert.empty()) tokens_per_expert.assign(other.tokens_per_expert.size(), 0);
  if (width_histogram.empty()) width_histogram.assign(other.width_histogram.size(), 0);
  for (size_t i = 0; i < other.tokens_per_expert.size(); ++i) tokens_per_expert[i] += other.tokens_per_expert[i];
  for (size_t i = 0; i < other.width_histogram.size(); ++i) width_histogram[i] += other.width_histogram[i];
  tokens += other.tokens;
  assignments += other.assignments;
  dropped += other.dropped;
  hidden_units += other.hidden_units;
}

MoeLayer::MoeLayer(const ModelConfig& config, int moe_index, at::Generator& init)
    : moe_index_(moe_index), activation_(kernels::activation_from_name(config.activation)) {
  const int64_t e = config.n_experts, d = config.d_model, f = config.d_ff;
  router_ = register_module("router", make_router(config.router, config.d_model, config.n_experts, init));
  // GPT-2 init; the output projection is a residual branch, scaled by 1/sqrt(2 * n_layer).
  const double residual_std = 0.02 / std::sqrt(2.0 * config.n_layer);
  w_in_ = register_parameter("w_in", at::empty({e, d, f}).normal_(0.0, 0.02, init));
  if (activation_ == kernels::Activation::kSwiGlu) {
    w_gate_ = register_parameter("w_gate", at::empty({e, d, f}).normal_(0.0, 0.02, init));
  }
  w_out_ = register_parameter("w_out", at::empty({e, f, d}).normal_(0.0, residual_std, init));
}

at::Tensor MoeLayer::forward(const at::Tensor& x, const ForwardContext& context, ForwardResult& out) {
  RouteOptions options{context.training, context.generator};
  RoutingDecision routing = router_->route(x, options);
  at::Tensor hidden = context.widths->hidden_units(moe_index_, routing, d_ff());
  at::Tensor y = kernels::slim_moe_ffn(x, {w_in_, w_gate_, w_out_}, {routing.expert_index, routing.gate, hidden},
                                       activation_);
  out.aux_loss = out.aux_loss.defined() ? out.aux_loss + routing.aux_loss : routing.aux_loss;
  out.balance_loss = out.balance_loss.defined() ? out.balance_loss + routing.balance_loss.detach()
                                                : routing.balance_loss.detach();
  out.z_loss = out.z_loss.defined() ? out.z_loss + routing.z_loss.detach() : routing.z_loss.detach();
  if (context.collect_stats) out.moe_stats.push_back(usage_of(routing, hidden, w_in_.size(0), d_ff()));
  if (context.keep_routing) {
    out.router_probs.push_back(routing.probs.detach());
    out.expert_index.push_back(routing.expert_index);
  }
  return y;
}

}  // namespace mose::core

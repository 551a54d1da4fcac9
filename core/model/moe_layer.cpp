#include "core/model/moe_layer.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/model/moe_usage.h"
#include "core/model/width_chooser.h"
#include "core/spec/router_deepseek.h"

namespace mose::core::model {

MoeLayer::MoeLayer(const spec::ModelConfig& config, int moe_index, at::Generator& init)
    : moe_index_(moe_index),
      shared_slimmable_(spec::deepseek_routing(config.router).shared_slimmable),
      activation_(kernels::activation_from_name(config.activation)) {
  const int64_t e = config.routed_experts(), d = config.d_model, f = config.expert_d_ff();
  router_ = register_module("router", make_router(config, init));
  // GPT-2 init; the output projection is a residual branch, scaled by 1/sqrt(2 * n_layer).
  const double residual_std = 0.02 / std::sqrt(2.0 * config.n_layer);
  const bool swiglu = activation_ == kernels::Activation::kSwiGlu;
  w_in_ = register_parameter("w_in", at::empty({e, d, f}).normal_(0.0, 0.02, init));
  if (swiglu) w_gate_ = register_parameter("w_gate", at::empty({e, d, f}).normal_(0.0, 0.02, init));
  w_out_ = register_parameter("w_out", at::empty({e, f, d}).normal_(0.0, residual_std, init));
  if (const int64_t s = config.shared_experts(); s > 0) {
    shared_.w_in = register_parameter("shared_w_in", at::empty({s, d, f}).normal_(0.0, 0.02, init));
    if (swiglu) shared_.w_gate = register_parameter("shared_w_gate", at::empty({s, d, f}).normal_(0.0, 0.02, init));
    shared_.w_out = register_parameter("shared_w_out", at::empty({s, f, d}).normal_(0.0, residual_std, init));
  }
}

at::Tensor MoeLayer::shared_forward(const at::Tensor& x, const RoutingDecision& routing, const at::Tensor& hidden,
                                    at::Tensor& shared_hidden) const {
  const int64_t tokens = x.size(0), s = shared_.w_in.size(0), f = d_ff();
  at::Tensor units = at::full({tokens, 1}, f, hidden.options());
  if (shared_slimmable_) {
    at::Tensor computed = routing.expert_index.ge(0);
    at::Tensor count = computed.sum(1, true);
    at::Tensor mean = (hidden * computed).sum(1, true).to(at::kDouble) / count.clamp_min(1).to(at::kDouble);
    units = at::where(count.gt(0), mean.round().clamp(1, static_cast<double>(f)).to(at::kLong), units);
  }
  shared_hidden = units.expand({tokens, s}).contiguous();
  // Shared experts run at one known width unless they follow each token's routed widths.
  std::optional<int64_t> uniform;
  if (!shared_slimmable_) uniform = f;
  at::Tensor index = at::arange(s, hidden.options()).expand({tokens, s}).contiguous();
  at::Tensor gate = at::ones({tokens, s}, x.options().dtype(at::kFloat));
  return kernels::slim_moe_ffn(x, shared_, {index, gate, shared_hidden, uniform}, activation_);
}

at::Tensor MoeLayer::forward(const at::Tensor& x, const RouteOptions& route, const ForwardContext& context,
                             ForwardResult& out) {
  RoutingDecision routing = router_->route(x, route);
  at::Tensor hidden = context.widths->hidden_units(moe_index_, routing, d_ff());
  const std::optional<int64_t> uniform = context.widths->uniform_hidden_units(moe_index_, d_ff());
  at::Tensor y = kernels::slim_moe_ffn(x, {w_in_, w_gate_, w_out_},
                                       {routing.expert_index, routing.gate, hidden, uniform}, activation_);
  at::Tensor shared_hidden;
  if (shared_.w_in.defined()) y = y + shared_forward(x, routing, hidden, shared_hidden);
  out.aux_loss = out.aux_loss.defined() ? out.aux_loss + routing.aux_loss : routing.aux_loss;
  out.balance_loss =
      out.balance_loss.defined() ? out.balance_loss + routing.balance_loss.detach() : routing.balance_loss.detach();
  out.z_loss = out.z_loss.defined() ? out.z_loss + routing.z_loss.detach() : routing.z_loss.detach();
  if (context.collect_stats) {
    out.moe_usage.push_back(count_usage(routing, hidden, shared_hidden, w_in_.size(0), d_ff()));
  }
  if (context.keep_routing) {
    out.router_probs.push_back(routing.probs.detach());
    out.expert_index.push_back(routing.expert_index);
  }
  return y;
}

}  // namespace mose::core::model

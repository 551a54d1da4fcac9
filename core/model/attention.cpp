#include "core/model/attention.h"

#include <ATen/ATen.h>

#include <cmath>

namespace mose::core::model {

CausalSelfAttention::CausalSelfAttention(const spec::ModelConfig& config, at::Generator& init)
    : n_head_(config.n_head), rope_(config.positions == "rope") {
  const int64_t d = config.d_model;
  w_qkv_ = register_parameter("w_qkv", at::empty({3 * d, d}).normal_(0.0, 0.02, init));
  w_proj_ = register_parameter("w_proj", at::empty({d, d}).normal_(0.0, 0.02 / std::sqrt(2.0 * config.n_layer), init));
  if (rope_) {
    // theta_i = 10000^(-2i / head_dim); angle(t, i) = t * theta_i.
    const int64_t half = d / config.n_head / 2;
    at::Tensor inv_freq = at::pow(10000.0, -at::arange(half, at::kDouble) / static_cast<double>(half)).to(at::kFloat);
    at::Tensor angles = at::outer(at::arange(config.seq_len, at::kFloat), inv_freq);
    rope_cos_ = register_buffer("rope_cos", angles.cos());
    rope_sin_ = register_buffer("rope_sin", angles.sin());
  }
}

at::Tensor CausalSelfAttention::apply_rope(const at::Tensor& x) const {
  const int64_t t = x.size(2), half = x.size(3) / 2;
  at::Tensor cos = rope_cos_.narrow(0, 0, t).to(x.scalar_type());
  at::Tensor sin = rope_sin_.narrow(0, 0, t).to(x.scalar_type());
  at::Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  return at::cat({x1 * cos - x2 * sin, x1 * sin + x2 * cos}, -1);
}

at::Tensor CausalSelfAttention::forward(const at::Tensor& x) {
  const int64_t b = x.size(0), t = x.size(1), d = x.size(2), hd = d / n_head_;
  auto qkv = at::linear(x, w_qkv_).split(d, 2);
  auto heads = [&](const at::Tensor& y) { return y.view({b, t, n_head_, hd}).transpose(1, 2); };
  at::Tensor q = heads(qkv[0]), k = heads(qkv[1]), v = heads(qkv[2]);
  if (rope_) {
    q = apply_rope(q);
    k = apply_rope(k);
  }
  at::Tensor y = at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, /*dropout_p=*/0.0, /*is_causal=*/true);
  return at::linear(y.transpose(1, 2).reshape({b, t, d}), w_proj_);
}

DenseFfn::DenseFfn(const spec::ModelConfig& config, at::Generator& init) : swiglu_(config.activation == "swiglu") {
  const int64_t d = config.d_model, f = config.dense_d_ff;
  w_in_ = register_parameter("w_in", at::empty({f, d}).normal_(0.0, 0.02, init));
  if (swiglu_) w_gate_ = register_parameter("w_gate", at::empty({f, d}).normal_(0.0, 0.02, init));
  w_out_ = register_parameter("w_out", at::empty({d, f}).normal_(0.0, 0.02 / std::sqrt(2.0 * config.n_layer), init));
}

at::Tensor DenseFfn::forward(const at::Tensor& x) {
  at::Tensor up = at::linear(x, w_in_);
  at::Tensor h = swiglu_ ? at::silu(at::linear(x, w_gate_)) * up : at::gelu(up);
  return at::linear(h, w_out_);
}

}  // namespace mose::core::model

#include "core/model/lm_head_loss.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/autograd.h>

#include <algorithm>

#include "core/model/autocast_guard.h"

namespace mose::core::model {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

constexpr int64_t kLogitsPerChunk = int64_t{1} << 27;

at::ScalarType compute_dtype(const at::Tensor& hidden) {
  if (hidden.is_cuda() && at::autocast::is_autocast_enabled(at::kCUDA)) {
    return at::autocast::get_autocast_dtype(at::kCUDA);
  }
  return hidden.scalar_type();
}

class ChunkedLmHeadLoss : public torch::autograd::Function<ChunkedLmHeadLoss> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& hidden, const at::Tensor& weight,
                            const at::Tensor& targets, int64_t chunk_rows, int64_t dtype_code) {
    const auto dtype = static_cast<at::ScalarType>(dtype_code);
    const int64_t n = hidden.size(0);
    const at::Tensor h = hidden.to(dtype), w = weight.to(dtype);
    at::Tensor lse = at::empty({n}, hidden.options().dtype(at::kFloat));
    at::Tensor target_logit = at::empty({n}, hidden.options().dtype(at::kFloat));
    for (int64_t begin = 0; begin < n; begin += chunk_rows) {
      const int64_t rows = std::min(chunk_rows, n - begin);
      const at::Tensor logits = at::mm(h.narrow(0, begin, rows), w.t()).to(at::kFloat);
      lse.narrow(0, begin, rows).copy_(at::logsumexp(logits, 1));
      target_logit.narrow(0, begin, rows)
          .copy_(logits.gather(1, targets.narrow(0, begin, rows).unsqueeze(1)).squeeze(1));
    }
    ctx->save_for_backward({hidden, weight, targets, lse});
    ctx->saved_data["chunk_rows"] = chunk_rows;
    ctx->saved_data["dtype"] = dtype_code;
    return (lse - target_logit).mean();
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &hidden = saved[0], &weight = saved[1], &targets = saved[2], &lse = saved[3];
    const int64_t chunk_rows = ctx->saved_data["chunk_rows"].toInt();
    const auto dtype = static_cast<at::ScalarType>(ctx->saved_data["dtype"].toInt());
    const int64_t n = hidden.size(0);
    const at::Tensor h = hidden.to(dtype), w = weight.to(dtype);
    // d(mean loss)/d(logits) = (softmax - one_hot) * grad / N, per row.
    const at::Tensor scale = grads[0].to(at::kFloat) / static_cast<double>(n);
    at::Tensor d_hidden = at::empty_like(hidden);
    at::Tensor d_weight = at::zeros_like(weight);
    for (int64_t begin = 0; begin < n; begin += chunk_rows) {
      const int64_t rows = std::min(chunk_rows, n - begin);
      const at::Tensor h_chunk = h.narrow(0, begin, rows);
      at::Tensor d_logits = at::mm(h_chunk, w.t()).to(at::kFloat);
      d_logits.sub_(lse.narrow(0, begin, rows).unsqueeze(1)).exp_();
      d_logits.scatter_add_(1, targets.narrow(0, begin, rows).unsqueeze(1),
                            at::full({rows, 1}, -1.0, d_logits.options()));
      d_logits.mul_(scale);
      const at::Tensor d_logits_c = d_logits.to(dtype);
      d_hidden.narrow(0, begin, rows).copy_(at::mm(d_logits_c, w));
      d_weight.add_(at::mm(d_logits_c.t(), h_chunk));
    }
    return {d_hidden, d_weight, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor lm_head_loss(const at::Tensor& hidden, const at::Tensor& head_weight, const at::Tensor& targets,
                        int64_t chunk_rows) {
  TORCH_CHECK(hidden.dim() == 2 && head_weight.dim() == 2 && hidden.size(1) == head_weight.size(1),
              "lm_head_loss: hidden must be [N, d] and head_weight [V, d], got ", hidden.sizes(), " and ",
              head_weight.sizes());
  TORCH_CHECK(targets.dim() == 1 && targets.size(0) == hidden.size(0) && targets.scalar_type() == at::kLong,
              "lm_head_loss: targets must be [N] int64, got ", targets.sizes());
  TORCH_CHECK(hidden.size(0) > 0, "lm_head_loss: no rows");
  TORCH_CHECK(chunk_rows >= 0, "lm_head_loss: chunk_rows must be >= 0");
  if (chunk_rows == 0) chunk_rows = std::max<int64_t>(1, kLogitsPerChunk / head_weight.size(0));
  const at::ScalarType dtype = compute_dtype(hidden);
  AutocastDisabled exact_casts;  // the function casts its GEMM inputs itself
  at::Tensor loss = ChunkedLmHeadLoss::apply(hidden, head_weight, targets, chunk_rows, static_cast<int64_t>(dtype));
  return loss;
}

at::Tensor lm_loss(const at::Tensor& logits, const at::Tensor& targets) {
  AutocastDisabled fp32_loss;
  return at::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}).to(at::kFloat), targets.reshape({-1}));
}

}  // namespace mose::core::model

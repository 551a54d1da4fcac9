#include "kernels/router_topk.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#ifdef MOSE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>

#include "kernels/cuda/router_topk.cuh"
#endif

namespace mose::kernels {
namespace {

// softmax whose forward is the fused kernel and whose backward is softmax's:
// dlogits = p * (dp - sum_e dp_e p_e). The selection rides along in `selection`.
class FusedSoftmaxTopK : public torch::autograd::Function<FusedSoftmaxTopK> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& logits, int64_t k,
                            TopKSelection* selection) {
    at::Tensor l = logits.contiguous();
    at::Tensor probs = at::empty_like(l);
#ifdef MOSE_WITH_CUDA
    selection->top_index = at::empty({l.size(0), k}, l.options().dtype(at::kLong));
    at::Tensor counts = at::zeros({l.size(1)}, l.options().dtype(at::kInt));
    cuda::launch_softmax_select_top_experts(
        l.data_ptr<float>(), l.size(0), static_cast<int>(l.size(1)), static_cast<int>(k), probs.data_ptr<float>(),
        selection->top_index.data_ptr<int64_t>(), counts.data_ptr<int32_t>(), at::cuda::getCurrentCUDAStream());
    selection->expert_counts = counts.to(at::kLong);
#else
    (void)k, (void)selection;
    TORCH_CHECK(false, "softmax_select_top_experts: built without CUDA");
#endif
    ctx->save_for_backward({probs});
    return probs;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    at::Tensor probs = ctx->get_saved_variables()[0];
    at::Tensor dlogits = at::_softmax_backward_data(grads[0].contiguous(), probs, -1, probs.scalar_type());
    return {dlogits, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

TopKSelection select_top_experts_reference(const at::Tensor& probs, int64_t k) {
  TopKSelection s;
  // A stable descending sort, not topk: topk orders tied probabilities arbitrarily, and
  // ties (a uniform router) must pick the lower expert as the CUDA kernel does.
  at::Tensor order = std::get<1>(probs.sort(/*stable=*/true, /*dim=*/-1, /*descending=*/true));
  s.top_index = order.narrow(-1, 0, k).contiguous();
  s.expert_counts = at::bincount(s.top_index.reshape({-1}), {}, probs.size(1));
  return s;
}

TopKSelection select_top_experts(const at::Tensor& probs, int64_t k) {
  TORCH_CHECK(probs.dim() == 2, "select_top_experts: probs must be [T, E], got ", probs.sizes());
  TORCH_CHECK(k >= 1 && k <= probs.size(1), "select_top_experts: k = ", k, " outside [1, ", probs.size(1), "]");
#ifdef MOSE_WITH_CUDA
  if (probs.is_cuda() && probs.scalar_type() == at::kFloat && k <= cuda::kMaxTopK) {
    at::Tensor p = probs.contiguous();
    TopKSelection s;
    s.top_index = at::empty({p.size(0), k}, p.options().dtype(at::kLong));
    at::Tensor counts = at::zeros({p.size(1)}, p.options().dtype(at::kInt));
    cuda::launch_select_top_experts(p.data_ptr<float>(), p.size(0), static_cast<int>(p.size(1)), static_cast<int>(k),
                                    s.top_index.data_ptr<int64_t>(), counts.data_ptr<int32_t>(),
                                    at::cuda::getCurrentCUDAStream());
    s.expert_counts = counts.to(at::kLong);
    return s;
  }
#endif
  return select_top_experts_reference(probs, k);
}

SoftmaxTopK softmax_select_top_experts(const at::Tensor& logits, int64_t k) {
  TORCH_CHECK(logits.dim() == 2, "softmax_select_top_experts: logits must be [T, E], got ", logits.sizes());
  TORCH_CHECK(k >= 1 && k <= logits.size(1), "softmax_select_top_experts: k = ", k, " outside [1, ", logits.size(1),
              "]");
  SoftmaxTopK out;
#ifdef MOSE_WITH_CUDA
  if (logits.is_cuda() && logits.scalar_type() == at::kFloat && k <= cuda::kMaxTopK) {
    out.probs = FusedSoftmaxTopK::apply(logits, k, &out.selection);
    return out;
  }
#endif
  out.probs = at::softmax(logits, -1);
  out.selection = select_top_experts(out.probs.detach(), k);
  return out;
}

}  // namespace mose::kernels

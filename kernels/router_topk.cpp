#include "kernels/router_topk.h"

#include <ATen/ATen.h>

#ifdef MOSE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>

#include "base/errors.h"
#include "kernels/cuda/router_topk.cuh"
#endif

namespace mose::kernels {

TopKSelection select_top_experts_reference(const at::Tensor& probs, int64_t k) {
  TopKSelection s;
  s.top_index = std::get<1>(probs.topk(k, -1));
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
    const cudaError_t status = cuda::launch_select_top_experts(
        p.data_ptr<float>(), p.size(0), static_cast<int>(p.size(1)), static_cast<int>(k), s.top_index.data_ptr<int64_t>(),
        counts.data_ptr<int32_t>(), at::cuda::getCurrentCUDAStream());
    if (status != cudaSuccess) {
      throw CudaError(std::string("select_top_experts (kernels/router_topk.cpp): ") + cudaGetErrorString(status));
    }
    s.expert_counts = counts.to(at::kLong);
    return s;
  }
#endif
  return select_top_experts_reference(probs, k);
}

}  // namespace mose::kernels

// Router top-k selection: one warp per token. Each of k rounds finds the most probable
// expert not yet taken with a strided scan over experts and a butterfly shuffle
// reduction (ties: the lower expert index), then lane 0 writes it and bumps that
// expert's count. Work per token is O(k * E / 32) per lane; no shared memory, no
// host synchronisation.
#include <math_constants.h>

#include <climits>

#include "kernels/cuda/router_topk.cuh"

namespace mose::kernels::cuda {
namespace {

constexpr int kWarp = 32;
constexpr int kWarpsPerBlock = 8;

__device__ inline bool better(float value, int expert, float best, int best_expert) {
  return value > best || (value == best && expert < best_expert);
}

__global__ void select_top_experts_kernel(const float* __restrict__ probs, int64_t tokens, int experts, int k,
                                          int64_t* __restrict__ top_index, int32_t* __restrict__ counts) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (row >= tokens) return;  // whole warps exit together: row is per warp
  const float* p = probs + row * experts;
  int picked[kMaxTopK];
  for (int j = 0; j < k; ++j) {
    float best = -CUDART_INF_F;
    int best_expert = INT_MAX;
    for (int e = lane; e < experts; e += kWarp) {
      bool taken = false;
      for (int i = 0; i < j; ++i) taken |= picked[i] == e;
      if (!taken && better(p[e], e, best, best_expert)) {
        best = p[e];
        best_expert = e;
      }
    }
    for (int offset = kWarp / 2; offset > 0; offset /= 2) {
      const float other = __shfl_xor_sync(0xffffffffu, best, offset);
      const int other_expert = __shfl_xor_sync(0xffffffffu, best_expert, offset);
      if (better(other, other_expert, best, best_expert)) {
        best = other;
        best_expert = other_expert;
      }
    }
    picked[j] = best_expert;
    if (lane == 0) {
      top_index[row * k + j] = best_expert;
      atomicAdd(&counts[best_expert], 1);
    }
  }
}

}  // namespace

cudaError_t launch_select_top_experts(const float* probs, int64_t tokens, int experts, int k, int64_t* top_index,
                                      int32_t* counts, cudaStream_t stream) {
  if (k < 1 || k > kMaxTopK || k > experts) return cudaErrorInvalidValue;
  if (tokens == 0) return cudaSuccess;
  const int64_t blocks = (tokens + kWarpsPerBlock - 1) / kWarpsPerBlock;
  select_top_experts_kernel<<<static_cast<unsigned>(blocks), kWarp * kWarpsPerBlock, 0, stream>>>(
      probs, tokens, experts, k, top_index, counts);
  return cudaGetLastError();
}

}  // namespace mose::kernels::cuda

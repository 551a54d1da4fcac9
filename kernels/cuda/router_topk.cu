// Router top-k selection: one warp per token. Each of k rounds finds the most probable
// expert not yet taken with a strided scan over experts and a butterfly shuffle
// reduction (ties: the lower expert index), then lane 0 writes it and bumps that
// expert's count. Work per token is O(k * E / 32) per lane; no shared memory, no
// host synchronisation. The fused variant first turns the token's logits into
// probabilities in the same warp (max and sum by shuffles, one exp per expert) and
// writes them; the selection then recomputes each probability with the same expression,
// so it selects on exactly the values written.
#include <math_constants.h>

#include <climits>

#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/router_topk.cuh"

namespace mose::kernels::cuda {
namespace {

constexpr int kWarp = 32;
constexpr int kWarpsPerBlock = 8;

__device__ inline bool better(float value, int expert, float best, int best_expert) {
  return value > best || (value == best && expert < best_expert);
}

__device__ inline float warp_max(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

__device__ inline float warp_sum(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// Probabilities as the selection reads them: either given, or softmax(logits) with the
// row's max and 1 / sum already reduced.
struct RowProbs {
  const float* values;  // probs, or logits when from_logits
  bool from_logits;
  float max = 0.0f, inv_sum = 1.0f;
  __device__ float operator()(int e) const { return from_logits ? expf(values[e] - max) * inv_sum : values[e]; }
};

__device__ void select_row(const RowProbs& p, int64_t row, int experts, int k, int lane,
                           int64_t* __restrict__ top_index, int32_t* __restrict__ counts) {
  int picked[kMaxTopK];
  for (int j = 0; j < k; ++j) {
    float best = -CUDART_INF_F;
    int best_expert = INT_MAX;
    for (int e = lane; e < experts; e += kWarp) {
      bool taken = false;
      for (int i = 0; i < j; ++i) taken |= picked[i] == e;
      const float value = p(e);
      if (!taken && better(value, e, best, best_expert)) {
        best = value;
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

__global__ void select_top_experts_kernel(const float* __restrict__ probs, int64_t tokens, int experts, int k,
                                          int64_t* __restrict__ top_index, int32_t* __restrict__ counts) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (row >= tokens) return;  // whole warps exit together: row is per warp
  select_row(RowProbs{probs + row * experts, false}, row, experts, k, lane, top_index, counts);
}

__global__ void softmax_select_top_experts_kernel(const float* __restrict__ logits, int64_t tokens, int experts, int k,
                                                  float* __restrict__ probs, int64_t* __restrict__ top_index,
                                                  int32_t* __restrict__ counts) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (row >= tokens) return;
  RowProbs p{logits + row * experts, true};
  float m = -CUDART_INF_F;
  for (int e = lane; e < experts; e += kWarp) m = fmaxf(m, p.values[e]);
  p.max = warp_max(m);
  float sum = 0.0f;
  for (int e = lane; e < experts; e += kWarp) sum += expf(p.values[e] - p.max);
  p.inv_sum = 1.0f / warp_sum(sum);
  for (int e = lane; e < experts; e += kWarp) probs[row * experts + e] = p(e);
  select_row(p, row, experts, k, lane, top_index, counts);
}

}  // namespace

void launch_softmax_select_top_experts(const float* logits, int64_t tokens, int experts, int k, float* probs,
                                       int64_t* top_index, int32_t* counts, cudaStream_t stream) {
  MOSE_CUDA_REQUIRE(k >= 1 && k <= kMaxTopK && k <= experts);
  if (tokens == 0) return;
  const int64_t blocks = (tokens + kWarpsPerBlock - 1) / kWarpsPerBlock;
  softmax_select_top_experts_kernel<<<static_cast<unsigned>(blocks), kWarp * kWarpsPerBlock, 0, stream>>>(
      logits, tokens, experts, k, probs, top_index, counts);
  MOSE_CUDA_CHECK(cudaGetLastError());
}

void launch_select_top_experts(const float* probs, int64_t tokens, int experts, int k, int64_t* top_index,
                               int32_t* counts, cudaStream_t stream) {
  MOSE_CUDA_REQUIRE(k >= 1 && k <= kMaxTopK && k <= experts);
  if (tokens == 0) return;
  const int64_t blocks = (tokens + kWarpsPerBlock - 1) / kWarpsPerBlock;
  select_top_experts_kernel<<<static_cast<unsigned>(blocks), kWarp * kWarpsPerBlock, 0, stream>>>(
      probs, tokens, experts, k, top_index, counts);
  MOSE_CUDA_CHECK(cudaGetLastError());
}

}  // namespace mose::kernels::cuda

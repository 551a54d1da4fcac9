// Host declarations for the router top-k kernel (kernels/cuda/router_topk.cu).
// Raw pointers only, so this header is C++17 and torch-free for nvcc.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace mose::kernels::cuda {

constexpr int kMaxTopK = 8;

// probs: [tokens, experts] row-major float32; top_index: [tokens, k] int64;
// counts: [experts] int32, zeroed by the caller. Throws CudaError if the launch fails or
// k is outside [1, min(kMaxTopK, experts)].
void launch_select_top_experts(const float* probs, int64_t tokens, int experts, int k, int64_t* top_index,
                               int32_t* counts, cudaStream_t stream);

// The same selection fused with the softmax that makes the probabilities: logits
// [tokens, experts] float32 in, probs [tokens, experts] float32 written, then selected.
void launch_softmax_select_top_experts(const float* logits, int64_t tokens, int experts, int k, float* probs,
                                       int64_t* top_index, int32_t* counts, cudaStream_t stream);

}  // namespace mose::kernels::cuda

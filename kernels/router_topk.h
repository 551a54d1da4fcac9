// Top-k expert selection per token with per-expert assignment counts, fused on GPU
// (one warp per token, no host synchronisation), optionally with the router softmax;
// plain ATen on CPU. Selection is not differentiable; callers gather the gates from the
// probabilities so gradients flow.
#pragma once

#include <ATen/core/Tensor.h>

namespace mose::kernels {

struct TopKSelection {
  at::Tensor top_index;      // [T, k] int64: experts in descending probability, ties to the lower index
  at::Tensor expert_counts;  // [E] int64: assignments per expert (sum = T * k)
};

// probs: [T, E] float32. Dispatches to the CUDA kernel for CUDA tensors when built with it.
TopKSelection select_top_experts(const at::Tensor& probs, int64_t k);

// The reference every fast path is compared with.
TopKSelection select_top_experts_reference(const at::Tensor& probs, int64_t k);

struct SoftmaxTopK {
  at::Tensor probs;  // [T, E] float32 softmax(logits), differentiable with respect to logits
  TopKSelection selection;
};

// softmax over experts fused with the selection (one warp per token on GPU: the logits are
// read once, the probabilities written once). logits: [T, E] float32.
SoftmaxTopK softmax_select_top_experts(const at::Tensor& logits, int64_t k);

}  // namespace mose::kernels

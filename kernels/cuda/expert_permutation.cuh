// Host declarations for the routing-permutation kernels (kernels/cuda/expert_permutation.cu).
// Raw pointers only: C++17 and torch-free for nvcc.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace mose::kernels::cuda {

// Buckets = levels * n_experts (level, expert) groups + 1 for assignments that compute
// nothing. The kernels keep a few counters per bucket in shared memory; beyond this the
// caller sorts with ATen instead.
constexpr int kMaxPermutationBuckets = 1024;

// int32 scratch the launch needs for n assignments and `buckets` buckets.
int64_t permutation_scratch_size(int64_t n, int buckets);

// A stable counting sort of n assignments by bucket = level * n_experts + expert (the not-
// computed bucket last), in two launches and no host synchronisation.
//   experts: [n] int64, -1 where nothing is computed, else < n_experts (traps otherwise);
//   hidden, level_widths: null for one level; else [n] int64 hidden units and [levels]
//     int64 distinct widths, and a computed assignment's level is the number of those
//     widths greater than its own (0 = widest);
//   k: assignments per token (tokens[row] = order[row] / k).
// Outputs: order, tokens [n] int64 (by row), slot_of [n] int64 (by assignment, -1 where not
// computed), level_offsets [levels * n_experts] int32 (cumulative row ends within each
// level), scratch [permutation_scratch_size(n, buckets)] int32.
// Throws CudaError if a launch fails, and for buckets above kMaxPermutationBuckets, n >= 2^31
// or a null pointer with work to do.
void launch_permute_assignments(const int64_t* experts, const int64_t* hidden, const int64_t* level_widths, int levels,
                                int64_t n_experts, int64_t n, int k, int64_t* order, int64_t* tokens, int64_t* slot_of,
                                int32_t* level_offsets, int32_t* scratch, cudaStream_t stream);

}  // namespace mose::kernels::cuda

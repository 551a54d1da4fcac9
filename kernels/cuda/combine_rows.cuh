// Host declarations for the weighted gather-sum kernel (kernels/cuda/combine_rows.cu).
// Raw pointers and our own dtype tag only: C++17 and torch-free for nvcc.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace mose::kernels::cuda {

enum class ElementType { kFloat32, kBFloat16, kFloat16 };

constexpr int kMaxCombineK = 16;  // assignments per token the kernel holds in shared memory

// rows: [n_rows, d] row-major; slot_of: [tokens, k] int64 in [-1, n_rows); gate: [tokens, k]
// float32 or null for all-ones; out: [tokens, d] row-major. Throws CudaError if the launch
// fails, and for k outside [1, kMaxCombineK] or a null pointer with work to do.
void launch_combine_rows(const void* rows, ElementType rows_type, int64_t n_rows, int64_t d, const int64_t* slot_of,
                         const float* gate, int64_t tokens, int k, void* out, ElementType out_type,
                         cudaStream_t stream);

}  // namespace mose::kernels::cuda

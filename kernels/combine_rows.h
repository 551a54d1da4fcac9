// Weighted gather-sum from permuted rows back to token order:
//   out[t, :] = sum_j gate[t, j] * rows[slot_of[t, j], :]   over j with slot_of[t, j] >= 0
// It combines expert outputs (with the router's gates) and, with no gates, sums the
// gradients of a token's copies (the backward of the permutation). A gather per token
// instead of an atomic scatter: deterministic at any k, and rows that nothing points to
// (garbage past a grouped GEMM's last group) are never read. Accumulates in fp32.
#pragma once

#include <ATen/core/Tensor.h>

namespace mose::kernels {

// rows: [N, d] float32/bfloat16/float16; slot_of: [T, k] int64 in [-1, N);
// gate: [T, k] floating, or undefined for all-ones. Returns [T, d] in out_dtype.
// CUDA tensors use the fused kernel (kernels/cuda/combine_rows.cu), others the reference.
at::Tensor combine_rows(const at::Tensor& rows, const at::Tensor& slot_of, const at::Tensor& gate,
                        at::ScalarType out_dtype);

// Plain ATen (gather, then a batched [1, k] x [k, d] product per token): the reference.
at::Tensor combine_rows_reference(const at::Tensor& rows, const at::Tensor& slot_of, const at::Tensor& gate,
                                  at::ScalarType out_dtype);

}  // namespace mose::kernels

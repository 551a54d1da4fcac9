// The fast slimmable-expert FFN: grouped GEMMs over (width level, expert) groups.
//
// Same function as slim_moe_ffn_reference (kernels/slim_moe.h), computed as
//   xs = x[tokens]                          permuted rows (expert_permutation.h)
//   per width level l with m_l hidden units, one grouped GEMM per projection over experts:
//     U = xs_l W_in[e][:, :m_l]   (SwiGLU also G = xs_l W_gate[e][:, :m_l])
//     H = gelu(U)  |  silu(G) * U
//     ys_l = H W_out[e][:m_l, :]
//   y[t] = sum_j gate[t, j] ys[slot_of[t, j]]   (combine_rows.h)
// The GEMMs are at::_grouped_mm: on Hopper/Blackwell in bf16 a CUTLASS grouped kernel that
// reads group sizes from device memory, elsewhere ATen's per-group fallback. Backward is
// written out (not traced) so that it keeps only U (and G) per level, recomputes H, and
// touches only the weight prefixes the pass used: dW_in[:, :, :m_l], dW_out[:, :m_l, :].
// Under CUDA autocast the GEMMs run in the autocast dtype; weight gradients come back in
// the weights' dtype.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>

#include "kernels/slim_moe.h"

namespace mose::kernels {

// Whether the grouped path can take these shapes: _grouped_mm needs every row stride
// (d_model, d_ff and each level's width, in elements of the compute dtype) to be a
// multiple of 16 bytes. Checked again per level once the levels are known.
bool grouped_ffn_shapes_supported(const at::Tensor& x, const ExpertWeights& weights);

// The grouped FFN, or nothing where the shapes are unsupported (slim_moe_ffn then runs the
// reference).
std::optional<at::Tensor> try_slim_moe_ffn_grouped(const at::Tensor& x, const ExpertWeights& weights,
                                                   const ExpertAssignments& assignments, Activation activation);

// The grouped FFN; throws where the shapes are unsupported. For tests and benchmarks.
at::Tensor slim_moe_ffn_grouped(const at::Tensor& x, const ExpertWeights& weights,
                                const ExpertAssignments& assignments, Activation activation);

}  // namespace mose::kernels

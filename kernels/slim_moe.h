// Slimmable-expert MoE FFN: the op that turns routing decisions and per-assignment
// widths into the layer output. Host API only (no CUDA types).
//
// For token t and its j-th chosen expert e = expert_index[t, j] with m = hidden_units[t, j]:
//   GELU:   y_t += gate[t, j] * W_out[e][:m, :]^T gelu(W_in[e][:, :m]^T x_t)
//   SwiGLU: y_t += gate[t, j] * W_out[e][:m, :]^T (silu(W_gate[e][:, :m]^T x_t) * (W_in[e][:, :m]^T x_t))
// Assignments with expert_index < 0 (dropped by capacity, or a null expert) add nothing.
// m = d_ff is exactly a standard expert.
//
// Two implementations of this one function: the reference (one GEMM pair per (expert,
// width) group in plain LibTorch, differentiable through autograd; the CPU path and what
// every fast path is compared with) and the grouped path (grouped_expert_ffn.h: grouped
// GEMMs, fused combine, written-out backward), which slim_moe_ffn takes for CUDA tensors.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mose::kernels {

enum class Activation { kGelu, kSwiGlu };

Activation activation_from_name(const std::string& name);  // "gelu" | "swiglu"

struct ExpertWeights {
  at::Tensor w_in;    // [E, d_model, d_ff]
  at::Tensor w_gate;  // [E, d_model, d_ff] for SwiGLU, undefined for GELU
  at::Tensor w_out;   // [E, d_ff, d_model]
};

struct ExpertAssignments {
  at::Tensor expert_index;  // [T, k] int64, -1 = not computed
  at::Tensor gate;          // [T, k] floating, combine weight
  at::Tensor hidden_units;  // [T, k] int64 in [1, d_ff]; ignored where expert_index < 0
  // Set when every assignment has this many hidden units (a uniform or per-layer width):
  // the grouped path then needs no host synchronisation.
  std::optional<int64_t> uniform_hidden_units;
};

// One contiguous run of the permuted assignments that share (expert, hidden units).
struct AssignmentGroup {
  int64_t expert = 0;
  int64_t hidden_units = 0;
  int64_t begin = 0;  // [begin, end) into AssignmentGroups::order
  int64_t end = 0;
};

// Assignments sorted by expert, then by width (widest first) so each group is one GEMM.
struct AssignmentGroups {
  at::Tensor order;   // [n] int64: flat indices into the [T*k] assignments, computed ones only
  at::Tensor tokens;  // [n] int64: order / k, the token of each permuted assignment
  std::vector<AssignmentGroup> groups;
};

// Groups the computed assignments. One host synchronisation (the group sizes).
AssignmentGroups group_assignments(const ExpertAssignments& assignments, int64_t n_experts, int64_t d_ff);

// Shape and dtype checks shared by both implementations (TORCH_CHECK).
void check_slim_moe_inputs(const at::Tensor& x, const ExpertWeights& weights, const ExpertAssignments& assignments,
                           Activation activation);

// y: [T, d_model] in x's dtype. x: [T, d_model]. CUDA tensors take the grouped path where
// its alignment rules hold (grouped_expert_ffn.h), everything else the reference.
at::Tensor slim_moe_ffn(const at::Tensor& x, const ExpertWeights& weights, const ExpertAssignments& assignments,
                        Activation activation);

at::Tensor slim_moe_ffn_reference(const at::Tensor& x, const ExpertWeights& weights,
                                  const ExpertAssignments& assignments, Activation activation);

}  // namespace mose::kernels

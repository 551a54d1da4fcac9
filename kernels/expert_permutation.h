// The routing permutation of the grouped expert FFN: every computed (token, expert)
// assignment gets a row in one permuted buffer, grouped by width level (widest first),
// then by expert, so each (level, expert) group is one contiguous GEMM problem.
//
// Rows [level_begin[l], level_begin[l + 1]) hold level l; inside it, level_offsets[l][e]
// is the cumulative end of expert e's rows relative to level_begin[l] (the `offs` of a
// grouped GEMM). Within a group rows keep token order (a stable sort), so results and
// weight gradients are deterministic. Assignments that compute nothing (expert_index < 0)
// sort after every level and are never read back.
//
// Host synchronisation: none when every assignment has the same width (uniform and
// per-layer widths, and every training pass of the sandwich rule): the buffer then has
// T*k rows and the last level simply ends early when assignments were dropped. Mixed
// widths need the set of widths and each level's row count on the host: one transfer.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace mose::kernels {

struct ExpertPermutation {
  int64_t n_experts = 0;
  std::vector<int64_t> level_hidden_units;  // widest first
  std::vector<int64_t> level_begin;         // size levels + 1: host row offsets into the buffer
  at::Tensor order;          // [T*k] int64: flat assignment index of each permuted row
  at::Tensor tokens;         // [T*k] int64: order / k, the token each row reads
  at::Tensor slot_of;        // [T, k] int64: the row of each assignment, -1 where nothing is computed
  at::Tensor level_offsets;  // [levels, E] int32 (see above), on the assignments' device

  int64_t levels() const { return static_cast<int64_t>(level_hidden_units.size()); }
  int64_t rows(int64_t level) const { return level_begin[level + 1] - level_begin[level]; }
};

// expert_index, hidden_units: [T, k] int64. uniform_hidden_units, when the caller knows every
// assignment has that width, skips reading hidden_units (and the host transfer). Expert
// indices must be < n_experts (the router guarantees it; the reference op checks, the
// CUDA kernel traps). On CUDA with up to 1023 (level, expert) groups this runs the two-
// launch counting-sort kernel (kernels/cuda/expert_permutation.cu).
ExpertPermutation permute_assignments(const at::Tensor& expert_index, const at::Tensor& hidden_units,
                                      int64_t n_experts, int64_t d_ff,
                                      std::optional<int64_t> uniform_hidden_units);

// The same permutation through ATen's stable sort on any device: the kernel's reference,
// and the path for more groups than the kernel holds.
ExpertPermutation permute_assignments_by_sort(const at::Tensor& expert_index, const at::Tensor& hidden_units,
                                              int64_t n_experts, int64_t d_ff,
                                              std::optional<int64_t> uniform_hidden_units);

}  // namespace mose::kernels

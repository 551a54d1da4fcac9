// Routing permutation. On CUDA (up to kMaxPermutationBuckets (level, expert) groups) it is
// the two-launch counting sort of kernels/cuda/expert_permutation.cu; elsewhere, and as its
// reference, ATen ops that run on either device without host synchronisation: a stable
// sort of one int64 key per assignment, group counts by an integer index_add (atomics on
// integers are exact), and a cumulative sum. Both give the same permutation exactly.
#include "kernels/expert_permutation.h"

#include <ATen/ATen.h>

#ifdef MOSE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>

#include "kernels/cuda/expert_permutation.cuh"
#endif

namespace mose::kernels {
namespace {

// The width levels of one pass, widest first, with their row ranges.
struct Levels {
  std::vector<int64_t> hidden_units;  // widest first
  std::vector<int64_t> begin;         // size levels + 1
  at::Tensor widths;                  // mixed widths only: the same widths on the device (ascending)
};

// Mixed widths: the widths present among computed assignments and each one's count, the
// one host transfer of such a pass. Also checks the ranges the fast paths rely on.
Levels read_mixed_levels(const at::Tensor& experts, const at::Tensor& hidden, const at::Tensor& computed,
                         int64_t n_experts, int64_t d_ff) {
  Levels levels;
  at::Tensor used = hidden.masked_select(computed);
  if (used.numel() == 0) {  // nothing computed: one empty level
    levels.hidden_units = {d_ff};
    levels.begin = {0, 0};
    return levels;
  }
  auto [values, inverse, value_counts] = at::_unique2(used, /*sorted=*/true, false, /*return_counts=*/true);
  at::Tensor expert_max = experts.masked_select(computed).max().reshape({1});
  at::Tensor host = at::cat({values, value_counts, expert_max}).cpu();
  const int64_t n = values.numel();
  const int64_t* h = host.data_ptr<int64_t>();
  TORCH_CHECK(h[0] >= 1 && h[n - 1] <= d_ff, "permute_assignments: hidden units must lie in [1, ", d_ff, "], got ",
              h[0], "..", h[n - 1]);
  TORCH_CHECK(h[2 * n] < n_experts, "permute_assignments: expert index ", h[2 * n], " >= ", n_experts);
  levels.begin = {0};
  for (int64_t i = n - 1; i >= 0; --i) {  // unique sorts ascending; levels are widest first
    levels.hidden_units.push_back(h[i]);
    levels.begin.push_back(levels.begin.back() + h[n + i]);
  }
  levels.widths = values;
  return levels;
}

// The ATen implementation: a stable sort of key = level * E + expert (E * levels when not computed).
void sort_with_aten(ExpertPermutation& p, const at::Tensor& experts, const at::Tensor& hidden, const Levels& levels,
                    int64_t k) {
  at::Tensor computed = experts.ge(0);
  const auto long_options = experts.options();
  const int64_t slots = experts.numel(), n_experts = p.n_experts;
  const int64_t n_levels = p.levels(), groups = n_levels * n_experts;
  // Level of each assignment: the number of wider levels.
  at::Tensor level =
      levels.widths.defined() ? hidden.unsqueeze(1).lt(levels.widths.unsqueeze(0)).sum(1) : at::zeros_like(experts);
  at::Tensor key = at::where(computed, level * n_experts + experts, at::full({}, groups, long_options));
  p.order = std::get<1>(key.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
  p.tokens = at::floor_divide(p.order, k);
  at::Tensor rows = at::arange(slots, long_options);
  at::Tensor slot = at::empty_like(rows).index_put_({p.order}, rows);
  p.slot_of = at::where(computed, slot, at::full({}, -1, long_options)).reshape({slots / k, k});

  at::Tensor counts = at::zeros({groups + 1}, long_options).index_add_(0, key, at::ones_like(key));
  at::Tensor ends = counts.narrow(0, 0, groups).cumsum(0).reshape({n_levels, n_experts});
  // Offsets restart at each level: subtract the end of the previous level.
  at::Tensor level_start =
      at::cat({at::zeros({1}, long_options), ends.select(1, n_experts - 1).narrow(0, 0, n_levels - 1)});
  p.level_offsets = (ends - level_start.unsqueeze(1)).to(at::kInt);
}

#ifdef MOSE_WITH_CUDA
bool kernel_applies(const at::Tensor& experts, int64_t levels, int64_t n_experts) {
  return experts.is_cuda() && levels * n_experts + 1 <= cuda::kMaxPermutationBuckets && experts.numel() <= 0x7fffffffLL;
}

void sort_with_kernel(ExpertPermutation& p, const at::Tensor& experts, const at::Tensor& hidden, const Levels& levels,
                      int64_t k) {
  const int64_t slots = experts.numel(), n_levels = p.levels();
  const int buckets = static_cast<int>(n_levels * p.n_experts + 1);
  const auto long_options = experts.options();
  p.order = at::empty({slots}, long_options);
  p.tokens = at::empty({slots}, long_options);
  p.slot_of = at::empty({slots / k, k}, long_options);
  p.level_offsets = at::empty({n_levels, p.n_experts}, long_options.dtype(at::kInt));
  at::Tensor scratch = at::empty({cuda::permutation_scratch_size(slots, buckets)}, long_options.dtype(at::kInt));
  const bool mixed = levels.widths.defined();
  at::Tensor hidden_flat = mixed ? hidden.contiguous() : at::Tensor();
  cuda::launch_permute_assignments(
      experts.data_ptr<int64_t>(), mixed ? hidden_flat.data_ptr<int64_t>() : nullptr,
      mixed ? levels.widths.data_ptr<int64_t>() : nullptr, static_cast<int>(n_levels), p.n_experts, slots,
      static_cast<int>(k), p.order.data_ptr<int64_t>(), p.tokens.data_ptr<int64_t>(), p.slot_of.data_ptr<int64_t>(),
      p.level_offsets.data_ptr<int32_t>(), scratch.data_ptr<int32_t>(), at::cuda::getCurrentCUDAStream());
}
#endif

ExpertPermutation permute(const at::Tensor& expert_index, const at::Tensor& hidden_units, int64_t n_experts,
                          int64_t d_ff, std::optional<int64_t> uniform_hidden_units, bool allow_kernel) {
  TORCH_CHECK(expert_index.dim() == 2 && expert_index.scalar_type() == at::kLong,
              "permute_assignments: expert_index must be [T, k] int64, got ", expert_index.sizes());
  const int64_t k = expert_index.size(1), slots = expert_index.numel();
  TORCH_CHECK(k >= 1, "permute_assignments: expert_index must have at least one assignment per token");
  at::Tensor experts = expert_index.reshape({-1}).contiguous();
  at::Tensor hidden;
  Levels levels;
  if (uniform_hidden_units) {
    TORCH_CHECK(*uniform_hidden_units >= 1 && *uniform_hidden_units <= d_ff, "permute_assignments: hidden units ",
                *uniform_hidden_units, " outside [1, ", d_ff, "]");
    levels.hidden_units = {*uniform_hidden_units};
    levels.begin = {0, slots};
  } else {
    TORCH_CHECK(hidden_units.sizes() == expert_index.sizes(), "permute_assignments: hidden_units must be ",
                expert_index.sizes());
    hidden = hidden_units.reshape({-1});
    levels = read_mixed_levels(experts, hidden, experts.ge(0), n_experts, d_ff);
  }
  ExpertPermutation p;
  p.n_experts = n_experts;
  p.level_hidden_units = levels.hidden_units;
  p.level_begin = levels.begin;
#ifdef MOSE_WITH_CUDA
  if (allow_kernel && kernel_applies(experts, p.levels(), n_experts)) {
    sort_with_kernel(p, experts, hidden, levels, k);
    return p;
  }
#endif
  (void)allow_kernel;
  sort_with_aten(p, experts, hidden, levels, k);
  return p;
}

}  // namespace

ExpertPermutation permute_assignments(const at::Tensor& expert_index, const at::Tensor& hidden_units, int64_t n_experts,
                                      int64_t d_ff, std::optional<int64_t> uniform_hidden_units) {
  return permute(expert_index, hidden_units, n_experts, d_ff, uniform_hidden_units, /*allow_kernel=*/true);
}

ExpertPermutation permute_assignments_by_sort(const at::Tensor& expert_index, const at::Tensor& hidden_units,
                                              int64_t n_experts, int64_t d_ff,
                                              std::optional<int64_t> uniform_hidden_units) {
  return permute(expert_index, hidden_units, n_experts, d_ff, uniform_hidden_units, /*allow_kernel=*/false);
}

}  // namespace mose::kernels

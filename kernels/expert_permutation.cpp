// Routing permutation in ATen ops that run on either device without host synchronisation:
// a stable sort of one int64 key per assignment (CUB's radix sort on GPU), group counts by
// an integer index_add (atomics on integers are exact), and a cumulative sum.
#include "kernels/expert_permutation.h"

#include <ATen/ATen.h>

#include "base/errors.h"

namespace mose::kernels {
namespace {

// Widths present among computed assignments, widest first, and each one's count: the one
// host transfer of a mixed-width pass. Also checks the ranges the fast path relies on.
void read_levels(const at::Tensor& experts, const at::Tensor& hidden, const at::Tensor& computed, int64_t n_experts,
                 int64_t d_ff, std::vector<int64_t>& widths, std::vector<int64_t>& counts) {
  at::Tensor used = hidden.masked_select(computed);
  if (used.numel() == 0) return;
  auto [values, inverse, value_counts] = at::_unique2(used, /*sorted=*/true, false, /*return_counts=*/true);
  at::Tensor expert_max = experts.masked_select(computed).max().reshape({1});
  at::Tensor host = at::cat({values, value_counts, expert_max}).cpu();
  const int64_t n = values.numel();
  const int64_t* h = host.data_ptr<int64_t>();
  TORCH_CHECK(h[0] >= 1 && h[n - 1] <= d_ff, "permute_assignments: hidden units must lie in [1, ", d_ff, "], got ",
              h[0], "..", h[n - 1]);
  TORCH_CHECK(h[2 * n] < n_experts, "permute_assignments: expert index ", h[2 * n], " >= ", n_experts);
  for (int64_t i = n - 1; i >= 0; --i) {  // unique sorts ascending; levels are widest first
    widths.push_back(h[i]);
    counts.push_back(h[n + i]);
  }
}

}  // namespace

ExpertPermutation permute_assignments(const at::Tensor& expert_index, const at::Tensor& hidden_units,
                                      int64_t n_experts, int64_t d_ff, std::optional<int64_t> uniform_hidden_units) {
  TORCH_CHECK(expert_index.dim() == 2 && expert_index.scalar_type() == at::kLong,
              "permute_assignments: expert_index must be [T, k] int64, got ", expert_index.sizes());
  const int64_t tokens = expert_index.size(0), k = expert_index.size(1), slots = tokens * k;
  at::Tensor experts = expert_index.reshape({-1});
  at::Tensor computed = experts.ge(0);
  const auto long_options = experts.options();

  ExpertPermutation p;
  p.n_experts = n_experts;
  at::Tensor level;  // [T*k] level of each assignment
  if (uniform_hidden_units) {
    TORCH_CHECK(*uniform_hidden_units >= 1 && *uniform_hidden_units <= d_ff, "permute_assignments: hidden units ",
                *uniform_hidden_units, " outside [1, ", d_ff, "]");
    p.level_hidden_units = {*uniform_hidden_units};
    p.level_begin = {0, slots};
    level = at::zeros_like(experts);
  } else {
    TORCH_CHECK(hidden_units.sizes() == expert_index.sizes(), "permute_assignments: hidden_units must be ",
                expert_index.sizes());
    at::Tensor hidden = hidden_units.reshape({-1});
    std::vector<int64_t> counts;
    read_levels(experts, hidden, computed, n_experts, d_ff, p.level_hidden_units, counts);
    p.level_begin = {0};
    for (int64_t c : counts) p.level_begin.push_back(p.level_begin.back() + c);
    if (p.level_hidden_units.empty()) {  // nothing computed: one empty level
      p.level_hidden_units = {d_ff};
      p.level_begin = {0, 0};
    }
    // Level of each width: the number of wider levels.
    at::Tensor widest_first = at::tensor(p.level_hidden_units, long_options.device(at::kCPU)).to(experts.device());
    level = hidden.unsqueeze(1).lt(widest_first.unsqueeze(0)).sum(1);
  }

  const int64_t levels = p.levels(), groups = levels * n_experts;
  at::Tensor key = at::where(computed, level * n_experts + experts, at::full({}, groups, long_options));
  p.order = std::get<1>(key.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
  p.tokens = at::floor_divide(p.order, k);
  at::Tensor rows = at::arange(slots, long_options);
  at::Tensor slot = at::empty_like(rows).index_put_({p.order}, rows);
  p.slot_of = at::where(computed, slot, at::full({}, -1, long_options)).reshape({tokens, k});

  at::Tensor counts = at::zeros({groups + 1}, long_options).index_add_(0, key, at::ones_like(key));
  at::Tensor ends = counts.narrow(0, 0, groups).cumsum(0).reshape({levels, n_experts});
  // Offsets restart at each level: subtract the end of the previous level.
  at::Tensor level_start = at::cat({at::zeros({1}, long_options), ends.select(1, n_experts - 1).narrow(0, 0, levels - 1)});
  p.level_offsets = (ends - level_start.unsqueeze(1)).to(at::kInt);
  return p;
}

}  // namespace mose::kernels

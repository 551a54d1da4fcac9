// The counting-sort permutation kernel against ATen's stable sort (permute_assignments_by_sort)
// on the same CUDA inputs: every output equal exactly, at sizes spanning one partial tile to
// many blocks, one to 64 experts, one to 255 width levels, skewed and dropped assignments.
// GPU machines only: skipped without a CUDA device.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "cuda_skip.h"
#include "kernels/expert_permutation.h"

using namespace mose::kernels;

namespace {

struct PermutationCase {
  std::string name;
  int64_t tokens, k, experts;
  std::vector<int64_t> widths;  // one entry: uniform width
  double drop;                  // fraction of assignments that compute nothing
  int64_t hot_expert = -1;      // >= 0: 90% of the assignments go to this expert
};

std::vector<PermutationCase> cases() {
  std::vector<PermutationCase> c = {
      {"one token", 1, 2, 8, {64}, 0.0},
      {"partial tile", 100, 2, 8, {64}, 0.1},
      {"exactly one tile", 128, 2, 8, {64}, 0.0},
      {"tile plus one", 129, 2, 8, {64}, 0.0},
      {"bench-moe uniform", 16384, 2, 8, {512}, 0.0},
      {"bench-moe uniform with drops", 16384, 2, 8, {512}, 0.2},
      {"many blocks, top-1", 300000, 1, 8, {256}, 0.05},
      {"one expert", 5000, 1, 1, {32}, 0.0},
      {"64 experts top-4", 20000, 4, 64, {128}, 0.1},
      {"hot expert across blocks", 40000, 2, 8, {64}, 0.0, 3},
      {"everything dropped", 3000, 2, 8, {64}, 1.0},
      {"mixed widths", 16384, 2, 8, {128, 256, 384, 512}, 0.05},
      {"mixed widths, hot expert", 50000, 2, 16, {8, 16, 24, 32}, 0.0, 0},
      {"mixed widths, all dropped", 1000, 2, 8, {128, 512}, 1.0},
  };
  std::vector<int64_t> many;  // 255 levels x 4 experts + 1 = 1021 buckets: the kernel's largest
  for (int64_t w = 1; w <= 255; ++w) many.push_back(w);
  c.push_back({"255 levels", 30000, 2, 4, many, 0.1});
  many.push_back(256);  // 1025 buckets: the ATen fallback, still through permute_assignments
  c.push_back({"256 levels (ATen fallback)", 30000, 2, 4, many, 0.1});
  return c;
}

struct Inputs {
  at::Tensor expert_index, hidden_units;
  std::optional<int64_t> uniform;
  int64_t d_ff;
};

Inputs make_inputs(const PermutationCase& c, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  const std::vector<int64_t> shape = {c.tokens, c.k};
  at::Tensor experts = at::randint(c.experts, shape, gen, at::kLong);
  if (c.hot_expert >= 0)
    experts = at::where(at::rand(shape, gen).lt(0.9), at::full({}, c.hot_expert, at::kLong), experts);
  experts = at::where(at::rand(shape, gen).lt(c.drop), at::full({}, -1, at::kLong), experts);
  at::Tensor widths = at::tensor(c.widths, at::kLong);
  at::Tensor hidden =
      widths.index_select(0, at::randint(static_cast<int64_t>(c.widths.size()), {c.tokens * c.k}, gen, at::kLong))
          .reshape(shape);
  Inputs in{experts.cuda(), hidden.cuda(), std::nullopt, widths.max().item<int64_t>()};
  if (c.widths.size() == 1) in.uniform = c.widths.front();
  return in;
}

}  // namespace

TEST_CASE("the CUDA permutation kernel equals ATen's stable sort exactly", "[kernels][permutation][cuda]") {
  if (!mose::testing::cuda_kernels_available_or_skip("permutation kernel comparison")) return;
  uint64_t seed = 1;
  for (const PermutationCase& c : cases()) {
    INFO(c.name);
    const Inputs in = make_inputs(c, seed++);
    // Poisoned outputs: blocks of the outputs' sizes filled with -7 and freed, so the caching
    // allocator hands them to the kernel's outputs; an unwritten element shows as -7.
    {
      const auto on_gpu = at::TensorOptions().device(at::kCUDA).dtype(at::kLong);
      std::vector<at::Tensor> poison;
      for (int i = 0; i < 3; ++i) poison.push_back(at::full({c.tokens * c.k}, -7, on_gpu));
      poison.push_back(at::full({static_cast<int64_t>(c.widths.size()) * c.experts}, -7, on_gpu.dtype(at::kInt)));
    }
    const ExpertPermutation got = permute_assignments(in.expert_index, in.hidden_units, c.experts, in.d_ff, in.uniform);
    const ExpertPermutation want =
        permute_assignments_by_sort(in.expert_index, in.hidden_units, c.experts, in.d_ff, in.uniform);
    CHECK(got.level_hidden_units == want.level_hidden_units);
    CHECK(got.level_begin == want.level_begin);
    REQUIRE(got.order.sizes() == want.order.sizes());
    CHECK(at::equal(got.order, want.order));
    CHECK(at::equal(got.tokens, want.tokens));
    CHECK(at::equal(got.slot_of, want.slot_of));
    REQUIRE(got.level_offsets.scalar_type() == at::kInt);
    CHECK(at::equal(got.level_offsets, want.level_offsets));
    // And the sort is the documented one: CPU and GPU ATen sorts agree too.
    const ExpertPermutation cpu =
        permute_assignments_by_sort(in.expert_index.cpu(), in.hidden_units.cpu(), c.experts, in.d_ff, in.uniform);
    CHECK(at::equal(want.order.cpu(), cpu.order));
    CHECK(at::equal(want.level_offsets.cpu(), cpu.level_offsets));
  }
}

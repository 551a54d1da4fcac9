// The grouped expert FFN (grouped GEMMs over (width level, expert) groups, gather-combine,
// written-out backward) against the reference on the CPU in fp32, values and gradients,
// plus the routing permutation and the combine op on hand-checked inputs.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "kernels/combine_rows.h"
#include "kernels/expert_permutation.h"
#include "kernels/grouped_expert_ffn.h"
#include "slim_moe_cases.h"

using namespace mose::kernels;
using namespace mose::kernels::testing;

TEST_CASE("routing permutation groups by width level then expert, stably", "[kernels][grouped]") {
  // 4 tokens, k = 2, 3 experts; widths 8 (narrow) and 16 (wide); one dropped assignment.
  at::Tensor expert = at::tensor({2, 0, 1, 2, 0, -1, 2, 1}, at::kLong).reshape({4, 2});
  at::Tensor hidden = at::tensor({8, 16, 16, 16, 8, 8, 16, 8}, at::kLong).reshape({4, 2});
  ExpertPermutation p = permute_assignments(expert, hidden, 3, 16, std::nullopt);
  CHECK(p.level_hidden_units == std::vector<int64_t>{16, 8});
  CHECK(p.level_begin == std::vector<int64_t>{0, 4, 7});
  // Wide level: (e0: slot 1) (e1: slot 2) (e2: slots 3, 6); narrow: (e0: 4) (e1: 7) (e2: 0); dropped 5 last.
  CHECK(at::equal(p.order, at::tensor({1, 2, 3, 6, 4, 7, 0, 5}, at::kLong)));
  CHECK(at::equal(p.tokens, at::tensor({0, 1, 1, 3, 2, 3, 0, 2}, at::kLong)));
  CHECK(at::equal(p.level_offsets, at::tensor({1, 2, 4, 1, 2, 3}, at::kInt).reshape({2, 3})));
  CHECK(at::equal(p.slot_of, at::tensor({6, 0, 1, 2, 4, -1, 3, 5}, at::kLong).reshape({4, 2})));

  // Uniform width: no host transfer, the one level spans all T*k rows and ends early.
  ExpertPermutation u = permute_assignments(expert, hidden, 3, 16, 16);
  CHECK(u.level_begin == std::vector<int64_t>{0, 8});
  CHECK(at::equal(u.level_offsets, at::tensor({2, 4, 7}, at::kInt).reshape({1, 3})));
  CHECK_THROWS_WITH(permute_assignments(expert, hidden, 3, 16, 17), Catch::Contains("outside [1, 16]"));
  CHECK_THROWS_WITH(permute_assignments(expert, hidden * 2, 3, 16, std::nullopt),
                    Catch::Contains("hidden units must lie in [1, 16]"));
  CHECK_THROWS_WITH(permute_assignments(expert + 1, hidden, 3, 16, std::nullopt), Catch::Contains("expert index 3 >= 3"));
}

TEST_CASE("combine_rows sums gated rows per token and skips empty slots", "[kernels][grouped]") {
  at::Tensor rows = at::tensor({1.0f, 2.0f, 10.0f, 20.0f, 100.0f, 200.0f}).reshape({3, 2});
  at::Tensor slot = at::tensor({0, 2, -1, 1, -1, -1}, at::kLong).reshape({3, 2});
  at::Tensor gate = at::tensor({0.5f, 2.0f, 7.0f, 3.0f, 1.0f, 1.0f}).reshape({3, 2});
  at::Tensor want = at::tensor({200.5f, 401.0f, 30.0f, 60.0f, 0.0f, 0.0f}).reshape({3, 2});
  CHECK(at::equal(combine_rows(rows, slot, gate, at::kFloat), want));
  at::Tensor unweighted = at::tensor({101.0f, 202.0f, 10.0f, 20.0f, 0.0f, 0.0f}).reshape({3, 2});
  CHECK(at::equal(combine_rows(rows, slot, at::Tensor(), at::kFloat), unweighted));
  // A NaN in a row nobody points to stays out of the result.
  rows[1][0] = std::numeric_limits<float>::quiet_NaN();
  slot[1][1] = -1;
  CHECK_FALSE(combine_rows(rows, slot, gate, at::kFloat).isnan().any().item<bool>());
}

TEST_CASE("grouped FFN equals the reference in fp32 on the CPU, gradients included", "[kernels][grouped]") {
  const at::Device cpu(at::kCPU);
  for (const SlimMoeCase& c : all_cases(1000)) {
    INFO(c.name);
    at::Tensor probe = at::randn({c.tokens, c.d_model}, at::kDouble);
    CaseOutputs want = run_case(c, at::kDouble, at::kDouble, cpu, probe, slim_moe_ffn_reference);
    CaseOutputs got = run_case(c, at::kFloat, at::kFloat, cpu, probe, slim_moe_ffn_grouped);
    check_close(got, want, 1e-5);
  }
}

TEST_CASE("grouped FFN touches only the weight prefixes a pass uses", "[kernels][grouped]") {
  SlimMoeCase c = make_case("gelu width 16 of 32", 30, 4, 4, 2, {16}, 0.0, Activation::kGelu, 5);
  at::Tensor probe = at::randn({c.tokens, c.d_model}, at::kDouble);
  CaseOutputs got = run_case(c, at::kFloat, at::kFloat, at::Device(at::kCPU), probe, slim_moe_ffn_grouped);
  CHECK(got.dw_in.narrow(2, 16, 16).abs().max().item<float>() == 0.0f);
  CHECK(got.dw_out.narrow(1, 16, 16).abs().max().item<float>() == 0.0f);
  CHECK(got.dw_in.narrow(2, 0, 16).abs().max().item<float>() > 0.0f);
}

TEST_CASE("grouped FFN declines misaligned widths, slim_moe_ffn falls back", "[kernels][grouped]") {
  // fp32 rows must be multiples of 4 elements (16 bytes): width 6 is not.
  SlimMoeCase c = make_case("width 6", 10, 4, 4, 2, {6}, 0.0, Activation::kGelu, 9);
  at::Tensor x = c.x.to(at::kFloat);
  ExpertWeights w{c.w_in.to(at::kFloat), {}, c.w_out.to(at::kFloat)};
  CHECK_FALSE(try_slim_moe_ffn_grouped(x, w, c.assignments, c.activation).has_value());
  CHECK_THROWS_WITH(slim_moe_ffn_grouped(x, w, c.assignments, c.activation), Catch::Contains("16-byte aligned"));
  CHECK(slim_moe_ffn(x, w, c.assignments, c.activation).sizes() == x.sizes());
}

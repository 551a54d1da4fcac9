// Top-k expert selection: the reference's contract, and the CUDA kernel against it on
// fresh random inputs at many shapes (GPU machines only; skipped elsewhere).
#include <ATen/ATen.h>
#include <catch2/catch.hpp>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "kernels/router_topk.h"

using namespace mose::kernels;

TEST_CASE("reference selection: descending experts and exact counts", "[kernels][router]") {
  at::Tensor probs = at::tensor({0.1, 0.6, 0.3, 0.5, 0.2, 0.3}, at::kFloat).reshape({2, 3});
  TopKSelection s = select_top_experts(probs, 2);
  CHECK(at::equal(s.top_index, at::tensor({1, 2, 0, 2}, at::kLong).reshape({2, 2})));
  CHECK(at::equal(s.expert_counts, at::tensor({1, 1, 2}, at::kLong)));
  CHECK_THROWS_WITH(select_top_experts(probs, 4), Catch::Contains("k = 4 outside [1, 3]"));
}

TEST_CASE("CUDA top-k selection equals the reference", "[kernels][router][cuda]") {
  if (!torch::cuda::is_available()) {
    WARN("no CUDA GPU on this machine: CUDA kernel comparison skipped");
    return;
  }
  at::Generator g = at::detail::createCPUGenerator(17);
  for (int64_t tokens : {1, 7, 33, 4096}) {
    for (int64_t experts : {2, 8, 31, 64, 257}) {
      for (int64_t k : {1, 2, 4, 8}) {
        if (k > experts) continue;
        at::Tensor probs = at::softmax(at::randn({tokens, experts}, g), -1);
        TopKSelection expected = select_top_experts_reference(probs, k);
        TopKSelection got = select_top_experts(probs.cuda(), k);
        INFO("tokens " << tokens << " experts " << experts << " k " << k);
        CHECK(at::equal(got.top_index.cpu(), expected.top_index));
        CHECK(at::equal(got.expert_counts.cpu(), expected.expert_counts));
      }
    }
  }
}

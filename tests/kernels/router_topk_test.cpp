// Top-k expert selection (alone and fused with the router softmax): on the CPU against
// hand-computed cases, ties to the lower expert included, and the CUDA kernels against the
// reference on fresh random and tied inputs at many shapes (GPU machines only; skipped
// elsewhere).
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <limits>

#include "cuda_skip.h"
#include "kernels/router_topk.h"

using namespace mose::kernels;

TEST_CASE("reference selection: descending experts and exact counts", "[kernels][router]") {
  at::Tensor probs = at::tensor({0.1, 0.6, 0.3, 0.5, 0.2, 0.3}, at::kFloat).reshape({2, 3});
  TopKSelection s = select_top_experts(probs, 2);
  CHECK(at::equal(s.top_index, at::tensor({1, 2, 0, 2}, at::kLong).reshape({2, 2})));
  CHECK(at::equal(s.expert_counts, at::tensor({1, 1, 2}, at::kLong)));
  CHECK_THROWS_WITH(select_top_experts(probs, 4), Catch::Contains("k = 4 outside [1, 3]"));
}

TEST_CASE("reference selection breaks ties toward the lower expert, as the CUDA kernel does", "[kernels][router]") {
  // All tied; a tie below a clear winner; a tie at the top.
  at::Tensor probs =
      at::tensor({0.25, 0.25, 0.25, 0.25, 0.1, 0.3, 0.3, 0.3, 0.4, 0.2, 0.4, 0.0}, at::kFloat).reshape({3, 4});
  TopKSelection s = select_top_experts(probs, 3);
  CHECK(at::equal(s.top_index, at::tensor({0, 1, 2, 1, 2, 3, 0, 2, 1}, at::kLong).reshape({3, 3})));
  CHECK(at::equal(s.expert_counts, at::tensor({2, 3, 3, 1}, at::kLong)));
  // A uniform router over 40 experts: the first k.
  TopKSelection uniform = select_top_experts(at::full({2, 40}, 0.025f), 8);
  CHECK(at::equal(uniform.top_index, at::arange(8, at::kLong).repeat({2, 1})));
}

TEST_CASE("CUDA top-k selection equals the reference", "[kernels][router][cuda]") {
  if (!mose::testing::cuda_kernels_available_or_skip("CUDA kernel comparison")) return;
  at::Generator g = at::detail::createCPUGenerator(17);
  for (int64_t tokens : {1, 7, 33, 4096}) {
    for (int64_t experts : {2, 8, 31, 64, 257}) {
      for (int64_t k : {1, 2, 4, 8}) {
        if (k > experts) continue;
        at::Tensor probs = at::softmax(at::randn({tokens, experts}, g), -1);
        // The same probabilities on a grid of 1/16: most of a row ties.
        for (const at::Tensor& p : {probs, at::round(probs * 16) / 16}) {
          TopKSelection expected = select_top_experts_reference(p, k);
          TopKSelection got = select_top_experts(p.cuda(), k);
          INFO("tokens " << tokens << " experts " << experts << " k " << k);
          CHECK(at::equal(got.top_index.cpu(), expected.top_index));
          CHECK(at::equal(got.expert_counts.cpu(), expected.expert_counts));
        }
      }
    }
  }
}

TEST_CASE("softmax_select_top_experts on the CPU: hand-computed probabilities, selection and gradient",
          "[kernels][router]") {
  // softmax(log w + c) = w / sum(w): weights 1:2:3:4, 1:3:1:1 (a three-way tie below the top)
  // and 1:1:1:1 (all tied), each row shifted by a constant c that softmax ignores.
  at::Tensor w = at::tensor({1.0, 2.0, 3.0, 4.0, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, at::kDouble).reshape({3, 4});
  at::Tensor c = at::tensor({0.0, 5.0, -3.0}, at::kDouble).reshape({3, 1});
  at::Tensor logits = (w.log() + c).to(at::kFloat).requires_grad_(true);
  at::Tensor want = w / w.sum(-1, true);  // rows 0.1 0.2 0.3 0.4 | 1/6 1/2 1/6 1/6 | 0.25 x 4
  SoftmaxTopK got = softmax_select_top_experts(logits, 2);
  CHECK(at::allclose(got.probs.to(at::kDouble), want, 1e-6, 1e-7));
  CHECK(at::equal(got.selection.top_index, at::tensor({3, 2, 1, 0, 0, 1}, at::kLong).reshape({3, 2})));
  CHECK(at::equal(got.selection.expert_counts, at::tensor({2, 2, 1, 1}, at::kLong)));
  // For L = sum_i p_i g_i: dL/dlogit_i = p_i (g_i - sum_j p_j g_j).
  at::Tensor probe =
      at::tensor({1.0, -1.0, 2.0, 0.5, 0.0, 3.0, -2.0, 1.0, 4.0, 0.0, 0.0, -4.0}, at::kDouble).reshape({3, 4});
  (got.probs * probe.to(at::kFloat)).sum().backward();
  at::Tensor want_grad = want * (probe - (want * probe).sum(-1, true));
  CHECK(at::allclose(logits.grad().to(at::kDouble), want_grad, 1e-6, 1e-7));
}

TEST_CASE("CUDA fused softmax and selection equal the reference", "[kernels][router][cuda]") {
  if (!mose::testing::cuda_kernels_available_or_skip("CUDA kernel comparison")) return;
  at::Generator g = at::detail::createCPUGenerator(19);
  for (int64_t tokens : {1, 7, 33, 4096}) {
    for (int64_t experts : {2, 8, 31, 64, 257}) {
      for (int64_t k : {1, 2, 4, 8}) {
        if (k > experts) continue;
        for (bool tied : {false, true}) {  // tied: integer logits, so rows have many equal probabilities
          INFO("tokens " << tokens << " experts " << experts << " k " << k << (tied ? " tied" : ""));
          at::Tensor raw = at::randn({tokens, experts}, g) * 3.0;
          at::Tensor logits = (tied ? raw.round() : raw).requires_grad_(true);
          at::Tensor gpu_logits = logits.detach().cuda().requires_grad_(true);
          // Poison: the freed NaN block is what the kernel's outputs are allocated from next.
          at::full({tokens * experts * 2}, std::numeric_limits<float>::quiet_NaN(), gpu_logits.options()).reset();
          SoftmaxTopK got = softmax_select_top_experts(gpu_logits, k);
          at::Tensor want_probs = at::softmax(logits, -1);
          CHECK((got.probs.cpu() - want_probs).abs().max().item<float>() <= 1e-6f);
          // The selection is exact on the probabilities the kernel wrote.
          TopKSelection want = select_top_experts_reference(got.probs.detach().cpu(), k);
          CHECK(at::equal(got.selection.top_index.cpu(), want.top_index));
          CHECK(at::equal(got.selection.expert_counts.cpu(), want.expert_counts));
          at::Tensor probe = at::randn({tokens, experts}, g);
          (got.probs * probe.cuda()).sum().backward();
          (want_probs * probe).sum().backward();
          CHECK((gpu_logits.grad().cpu() - logits.grad()).abs().max().item<float>() <= 1e-5f);
        }
      }
    }
  }
}

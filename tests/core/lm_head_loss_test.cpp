// The chunked LM-head loss against the plain one (logits, then cross-entropy): same loss
// and same gradients, whatever the chunking; and the model's training forward without
// logits gives the loss the logits give.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "core/model/gpt.h"
#include "core/model/lm_head_loss.h"
#include "core/model/width_chooser.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using mose::core::testing::relative_error;

TEST_CASE("lm_head_loss equals cross-entropy of the full logits, gradients included", "[core][loss]") {
  auto gen = at::detail::createCPUGenerator(3);
  const int64_t n = 50, d = 24, vocab = 97;
  const at::Tensor hidden0 = at::randn({n, d}, gen), weight0 = at::randn({vocab, d}, gen) * 0.3;
  const at::Tensor targets = at::randint(vocab, {n}, gen, at::kLong);

  at::Tensor hidden = hidden0.clone().set_requires_grad(true), weight = weight0.clone().set_requires_grad(true);
  at::Tensor want = at::cross_entropy_loss(at::linear(hidden, weight), targets);
  (want * 1.7).backward();

  for (int64_t chunk : {0, 1, 7, 50, 64}) {
    INFO("chunk_rows " << chunk);
    at::Tensor h = hidden0.clone().set_requires_grad(true), w = weight0.clone().set_requires_grad(true);
    at::Tensor got = lm_head_loss(h, w, targets, chunk);
    (got * 1.7).backward();
    CHECK(got.scalar_type() == at::kFloat);
    CHECK(got.item<double>() == Approx(want.item<double>()).epsilon(1e-6));
    CHECK(relative_error(h.grad(), hidden.grad()) < 1e-5);
    CHECK(relative_error(w.grad(), weight.grad()) < 1e-5);
  }
  CHECK_THROWS_WITH(lm_head_loss(hidden0, weight0, targets.narrow(0, 0, 3)), Catch::Contains("targets must be [N]"));
  CHECK_THROWS_WITH(lm_head_loss(hidden0, weight0.narrow(1, 0, 5), targets), Catch::Contains("head_weight [V, d]"));
}

TEST_CASE("the model's forward without logits gives the loss and gradients of the logits", "[core][loss]") {
  ModelConfig m = testing::tiny_model();
  at::Tensor tokens = at::randint(m.vocab_size, {3, m.seq_len + 1}, at::detail::createCPUGenerator(8));
  at::Tensor inputs = tokens.narrow(1, 0, m.seq_len), targets = tokens.narrow(1, 1, m.seq_len);
  UniformWidth half(0.5);
  Gpt with_logits(m, 4), without_logits(m, 4);
  ForwardContext context;
  context.widths = &half;
  ForwardResult a = with_logits.forward(inputs, context);
  at::Tensor want = lm_loss(a.logits, targets);
  want.backward();
  context.skip_lm_head = true;
  ForwardResult b = without_logits.forward(inputs, context);
  CHECK_FALSE(b.logits.defined());
  REQUIRE(b.final_hidden.sizes() == std::vector<int64_t>{3, m.seq_len, m.d_model});
  at::Tensor got =
      lm_head_loss(b.final_hidden.reshape({-1, m.d_model}), without_logits.lm_head_weight(), targets.reshape({-1}));
  got.backward();
  CHECK(got.item<double>() == Approx(want.item<double>()).epsilon(1e-6));
  auto want_params = with_logits.named_parameters(), got_params = without_logits.named_parameters();
  for (const auto& item : want_params) {
    if (!item.value().grad().defined()) continue;
    INFO("gradient of " << item.key());
    CHECK(relative_error(got_params[item.key()].grad(), item.value().grad()) < 1e-5);
  }
}

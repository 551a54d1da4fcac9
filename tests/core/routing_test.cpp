// Router losses and capacity against hand-computed values on tiny inputs.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

#include "core/model/routing.h"
#include "core/model/topk_router.h"

namespace {
// Assignments per expert, as the router counts them.
at::Tensor counts_of(const at::Tensor& top, int64_t experts) { return at::bincount(top.reshape({-1}), {}, experts); }
}  // namespace

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;

TEST_CASE("Switch balance loss matches the hand computation", "[core][router]") {
  // 2 tokens, 2 experts, top-1: both tokens pick expert 0.
  at::Tensor probs = at::tensor({0.7, 0.3, 0.6, 0.4}, at::kDouble).reshape({2, 2});
  at::Tensor top = at::tensor({0, 0}, at::kLong).reshape({2, 1});
  // f = (1, 0), P = (0.65, 0.35): L = 2 * (1 * 0.65) = 1.3
  CHECK(switch_balance_loss(probs, counts_of(top, 2)).item<double>() == Approx(1.3));
  // Balanced: f = (0.5, 0.5), P = (0.5, 0.5): L = 2 * 0.5 = 1
  at::Tensor uniform = at::full({2, 2}, 0.5, at::kDouble);
  CHECK(switch_balance_loss(uniform, counts_of(at::tensor({0, 1}, at::kLong), 2)).item<double>() == Approx(1.0));
  // top-2 over 3 experts: assignments {0,1},{0,2}: f = (2/4, 1/4, 1/4)
  at::Tensor p3 = at::tensor({0.5, 0.3, 0.2, 0.4, 0.2, 0.4}, at::kDouble).reshape({2, 3});
  at::Tensor top2 = at::tensor({0, 1, 0, 2}, at::kLong).reshape({2, 2});
  const double expected = 3 * (0.5 * 0.45 + 0.25 * 0.25 + 0.25 * 0.3);
  CHECK(switch_balance_loss(p3, counts_of(top2, 3)).item<double>() == Approx(expected));
}

TEST_CASE("router z-loss is the mean squared logsumexp", "[core][router]") {
  at::Tensor logits = at::tensor({0.0, 0.0, 1.0, 2.0}, at::kDouble).reshape({2, 2});
  const double a = std::log(2.0), b = std::log(std::exp(1.0) + std::exp(2.0));
  CHECK(router_z_loss(logits).item<double>() == Approx((a * a + b * b) / 2));
}

TEST_CASE("capacity drops slot-major, then in token order", "[core][router]") {
  // 4 tokens, top-2, 2 experts, capacity factor 0.5: C = ceil(0.5 * 4 * 2 / 2) = 2.
  at::Tensor top = at::tensor({0, 1, 0, 1, 0, 1, 1, 0}, at::kLong).reshape({4, 2});
  at::Tensor kept = apply_capacity(top, 2, 0.5);
  // First choices: 0,0,0,1 -> expert 0 takes tokens 0,1; token 2's first choice is dropped.
  // Second choices: 1,1,1,0 -> expert 1 has token 3 already (first choice), takes token 0; rest dropped.
  at::Tensor expected = at::tensor({0, 1, 0, -1, -1, -1, 1, -1}, at::kLong).reshape({4, 2});
  CHECK(at::equal(kept, expected));
  CHECK(at::equal(apply_capacity(top, 2, 0.0), top));  // 0 = no dropping
}

TEST_CASE("top-k router: renormalised gates, losses and eval capacity", "[core][router]") {
  RouterConfig config;
  config.top_k = 2;
  config.capacity_factor_eval = 0;
  at::Generator init = at::detail::createCPUGenerator(3);
  TopKRouter router(config, 8, 4, init);
  at::Tensor x = at::randn({10, 8}, init);
  RoutingDecision d = router.route(x, RouteOptions{});
  CHECK(d.expert_index.sizes() == at::IntArrayRef({10, 2}));
  CHECK(at::allclose(d.gate.sum(1), at::ones({10})));
  CHECK(at::allclose(d.probs.sum(1), at::ones({10})));
  // The two chosen experts are the two most probable.
  at::Tensor chosen = d.probs.gather(1, d.expert_index);
  at::Tensor second_best = std::get<0>(d.probs.topk(2, 1)).select(1, 1);
  CHECK(std::get<0>(chosen.min(1)).ge(second_best - 1e-7).all().item<bool>());
  const double aux = d.balance_loss.item<double>() * 0.01 + d.z_loss.item<double>() * 0.001;
  CHECK(d.aux_loss.item<double>() == Approx(aux));

  config.renormalize = false;
  TopKRouter raw(config, 8, 4, init);
  RoutingDecision r = raw.route(x, RouteOptions{});
  CHECK(at::allclose(r.gate, r.probs.gather(1, r.expert_index)));
}

TEST_CASE("unknown router names list the known ones", "[core][router]") {
  ModelConfig model;
  model.router.type = "expert_choise";
  at::Generator init = at::detail::createCPUGenerator(1);
  CHECK_THROWS_WITH(
      make_router(model, init),
      Catch::Contains("model.router.type = 'expert_choise': unknown router; known: deepseek, expert_choice, "));
  CHECK_THROWS_WITH(
      model.validate(),
      Catch::Contains("model.router.type = 'expert_choise': unknown router; known: deepseek, expert_choice, "));
}

// Each routing regime against hand-computed cases: which experts run, their gates, the
// losses, and the slot bookkeeping (empty slots, null experts, capacity).
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

#include "core/model/expert_choice_router.h"
#include "core/model/null_expert_router.h"
#include "core/model/random_k_router.h"
#include "core/model/routing.h"
#include "core/model/top_p_router.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;

namespace {

// Sets a router's [outputs, d_model] weight, so logits = x W^T are chosen by the test.
void set_weight(Router& router, const at::Tensor& weight) {
  torch::NoGradGuard no_grad;
  router.named_parameters()["weight"].copy_(weight);
}

// x = log(p) rows with W = I: softmax(x W^T) = p exactly.
at::Tensor log_probs(std::vector<double> p, int64_t columns) {
  return at::tensor(p, at::kFloat).reshape({-1, columns}).log();
}

}  // namespace

TEST_CASE("capacity and expert counts ignore empty slots", "[core][router]") {
  // 3 tokens, 2 slots; token 1 has one empty slot. cf 0.5 over 2 experts: C = ceil(0.5*3*2/2) = 2.
  at::Tensor top = at::tensor({0, 1, 0, -1, 0, 1}, at::kLong).reshape({3, 2});
  at::Tensor kept = apply_capacity(top, 2, 0.5);
  // First choices 0,0,0: tokens 0,1 kept, token 2 dropped. Second: 1,-,1: both kept.
  at::Tensor expected = at::tensor({0, 1, 0, -1, -1, 1}, at::kLong).reshape({3, 2});
  CHECK(at::equal(kept, expected));
  CHECK(at::equal(expert_counts(top, 2), at::tensor({3, 2}, at::kLong)));
  CHECK(at::equal(expert_counts(kept, 2), at::tensor({2, 2}, at::kLong)));
}

TEST_CASE("expert choice: each expert takes its top-C tokens of each sequence", "[core][router]") {
  RouterConfig config;
  config.type = "expert_choice";
  config.options.set("model.router.expert_capacity", 1.0);  // C = ceil(1 * 4 / 2) = 2 tokens per expert per sequence
  at::Generator init = at::detail::createCPUGenerator(1);
  ExpertChoiceRouter router(config, 2, 2, init);
  set_weight(router, at::eye(2));
  // Two sequences of 4 tokens; P[:, 0] per token below (P[:, 1] = 1 - P[:, 0]).
  at::Tensor p0 = at::tensor({0.9, 0.2, 0.6, 0.4, 0.1, 0.3, 0.8, 0.7});
  at::Tensor x = at::stack({p0, 1 - p0}, 1).log();
  RouteOptions options;
  options.group_size = 4;
  RoutingDecision d = router.route(x, options);
  REQUIRE(router.slots() == 2);
  // Sequence 1: expert 0 takes tokens 0 (0.9), 2 (0.6); expert 1 takes 1 (0.8), 3 (0.6).
  // Sequence 2: expert 0 takes tokens 6 (0.8), 7 (0.7); expert 1 takes 4 (0.9), 5 (0.7).
  at::Tensor expected = at::tensor({0, -1, -1, 1, 0, -1, -1, 1, -1, 1, -1, 1, 0, -1, 0, -1}, at::kLong).reshape({8, 2});
  CHECK(at::equal(d.expert_index, expected));
  CHECK(at::allclose(d.gate, at::where(expected.ge(0), d.probs, at::zeros_like(d.probs))));
  CHECK(d.balance_loss.item<double>() == 0.0);  // no balance loss
  // A sequence's routing does not depend on the other sequences of its batch.
  RoutingDecision alone = router.route(x.narrow(0, 4, 4), options);
  CHECK(at::equal(alone.expert_index, expected.narrow(0, 4, 4)));
  CHECK(expert_choice_capacity(2.0, 16, 4) == 8);
  CHECK(expert_choice_capacity(0.1, 4, 8) == 1);  // at least one token
  CHECK(expert_choice_capacity(8.0, 4, 2) == 4);  // at most the sequence
}

TEST_CASE("top-p: the fewest experts whose mass reaches p, at most k_max", "[core][router]") {
  at::Tensor sorted = at::tensor({0.5, 0.3, 0.2, 0.7, 0.2, 0.1, 0.25, 0.25, 0.25}, at::kFloat).reshape({3, 3});
  // p = 0.6: token 0 needs 0.5 + 0.3; token 1 stops at 0.7; token 2 needs three (0.25*2 < 0.6).
  at::Tensor keep = top_p_keep(sorted, 0.6);
  CHECK(at::equal(keep.sum(1), at::tensor({2, 1, 3}, at::kLong)));
  CHECK(top_p_keep(sorted, 0.5).sum(1).eq(at::tensor({1, 1, 2}, at::kLong)).all().item<bool>());

  RouterConfig config;
  config.type = "top_p";
  config.options.set("model.router.top_p", 0.6);
  config.top_k = 2;  // the cap: token 2 is cut to two experts
  config.options.set("model.router.entropy_loss_coef", 0.1);
  at::Generator init = at::detail::createCPUGenerator(1);
  TopPRouter router(config, 3, 3, init);
  set_weight(router, at::eye(3));
  at::Tensor x = log_probs({0.5, 0.3, 0.2, 0.1, 0.7, 0.2, 0.25, 0.25, 0.5}, 3);
  RoutingDecision d = router.route(x, RouteOptions{});
  at::Tensor used = d.expert_index.ge(0).sum(1);
  CHECK(at::equal(used, at::tensor({2, 1, 2}, at::kLong)));
  CHECK(d.expert_index[1][0].item<int64_t>() == 1);
  CHECK(d.expert_index[1][1].item<int64_t>() == -1);
  CHECK(at::allclose(d.gate.sum(1), at::ones({3})));  // renormalised over the chosen
  // aux = 0.01 * balance + 0.001 * z + 0.1 * mean entropy
  const double entropy = router_entropy(d.probs).item<double>();
  const double h0 = -(0.5 * std::log(0.5) + 0.3 * std::log(0.3) + 0.2 * std::log(0.2));
  const double h1 = -(0.1 * std::log(0.1) + 0.7 * std::log(0.7) + 0.2 * std::log(0.2));
  const double h2 = -(0.5 * std::log(0.25) + 0.5 * std::log(0.5));
  CHECK(entropy == Approx((h0 + h1 + h2) / 3).epsilon(1e-5));
  CHECK(d.aux_loss.item<double>() ==
        Approx(0.01 * d.balance_loss.item<double>() + 0.001 * d.z_loss.item<double>() + 0.1 * entropy).epsilon(1e-5));
}

TEST_CASE("null experts: null slots compute nothing and steer towards the target", "[core][router]") {
  RouterConfig config;
  config.type = "null_experts";
  config.top_k = 2;
  config.options.set("model.router.null_experts", 1);
  config.options.set("model.router.null_target", 0.25);
  at::Generator init = at::detail::createCPUGenerator(1);
  NullExpertRouter router(config, 3, 2, init);  // 2 real experts + 1 null (output 2)
  set_weight(router, at::eye(3));
  // Token 0 prefers real 0 then null; token 1 prefers real 1 then real 0.
  at::Tensor x = log_probs({0.6, 0.1, 0.3, 0.3, 0.5, 0.2}, 3);
  RoutingDecision d = router.route(x, RouteOptions{});
  at::Tensor expected = at::tensor({0, -1, 1, 0}, at::kLong).reshape({2, 2});
  CHECK(at::equal(d.expert_index, expected));
  CHECK(at::equal(d.null_slots, at::tensor({0, 1, 0, 0}, at::kLong).to(at::kBool).reshape({2, 2})));
  // Gates renormalised over both slots, the null one's weight dropped: token 0 keeps 0.6/0.9.
  CHECK(d.gate[0][0].item<double>() == Approx(0.6 / 0.9));
  CHECK(d.gate[0][1].item<double>() == 0.0);
  CHECK(d.probs.sizes() == at::IntArrayRef({2, 2}));  // real experts only
  // L_null = (f_null - target) * P_null = (1/4 - 0.25) * mean(0.3, 0.2) = 0 here...
  at::Tensor probs_all = at::tensor({0.6, 0.1, 0.3, 0.3, 0.5, 0.2}, at::kDouble).reshape({2, 3});
  CHECK(null_usage_loss(d.null_slots, probs_all, 2, 0.25).item<double>() == Approx(0.0).margin(1e-12));
  // ...and (1/4 - 0) * 0.25 with a zero target: usage above target pushes null mass down.
  at::Tensor p = probs_all.clone().requires_grad_(true);
  at::Tensor loss = null_usage_loss(d.null_slots, p, 2, 0.0);
  CHECK(loss.item<double>() == Approx(0.25 * 0.25));
  loss.backward();
  CHECK(p.grad()[0][2].item<double>() > 0);  // descending the loss lowers null probability
}

TEST_CASE("random-k: k drawn in [k_min, k_max] in training, top_k at inference", "[core][router]") {
  RouterConfig config;
  config.type = "random_k";
  config.top_k = 2;
  config.options.set("model.router.k_min", 1);
  config.options.set("model.router.k_max", 3);
  at::Generator init = at::detail::createCPUGenerator(1);
  RandomKRouter layer1(config, 8, 4, init), layer2(config, 8, 4, init);
  at::Tensor x = at::randn({6, 8}, init);
  REQUIRE(layer1.slots() == 3);
  std::set<int> seen;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    RouteOptions options;
    options.training = true;
    options.pass_seed = seed;
    RoutingDecision d = layer1.route(x, options);
    layer2.route(x, options);
    CHECK(layer1.last_k() == layer2.last_k());  // "batch": one k shared by every layer
    CHECK(at::equal(d.expert_index.ge(0).sum(1), at::full({6}, layer1.last_k(), at::kLong)));
    CHECK(at::allclose(d.gate.sum(1), at::ones({6})));
    seen.insert(layer1.last_k());
  }
  CHECK(seen == std::set<int>{1, 2, 3});
  RoutingDecision eval = layer1.route(x, RouteOptions{});
  CHECK(at::equal(eval.expert_index.ge(0).sum(1), at::full({6}, 2, at::kLong)));
  layer1.set_inference_k(4);  // any k at inference
  CHECK(at::equal(layer1.route(x, RouteOptions{}).expert_index.ge(0).sum(1), at::full({6}, 4, at::kLong)));
  CHECK_THROWS_WITH(layer1.set_inference_k(5), Catch::Contains("expected 1 to 4"));

  config.options.set("model.router.k_granularity", "layer");
  RandomKRouter per_layer(config, 8, 4, init);
  RouteOptions options;
  options.training = true;
  options.generator = at::detail::createCPUGenerator(9);
  std::set<int> per_layer_seen;
  for (int i = 0; i < 30; ++i) {
    per_layer.route(x, options);
    per_layer_seen.insert(per_layer.last_k());
  }
  CHECK(per_layer_seen == std::set<int>{1, 2, 3});
}

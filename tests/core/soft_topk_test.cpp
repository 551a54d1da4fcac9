// The Laplace soft top-k (LapSum): its closed-form threshold against a numerical root-find,
// its gradients against finite differences, its hard limit, and the soft top-k router.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

#include "core/model/soft_topk.h"
#include "core/model/soft_topk_router.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;

namespace {

// sum_i F((r_i - b) / alpha) for one token, in double.
double soft_sum(const at::Tensor& r, double b, double alpha) {
  double total = 0;
  for (int64_t i = 0; i < r.numel(); ++i) {
    const double x = (r[i].item<double>() - b) / alpha;
    total += x < 0 ? 0.5 * std::exp(x) : 1 - 0.5 * std::exp(-x);
  }
  return total;
}

// The threshold by bisection: sum is decreasing in b.
double bisect_threshold(const at::Tensor& r, double k, double alpha) {
  double lo = r.min().item<double>() - 60 * alpha, hi = r.max().item<double>() + 60 * alpha;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (soft_sum(r, mid, alpha) > k ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

TEST_CASE("soft top-k threshold matches a numerical root-find", "[core][router][soft_topk]") {
  at::Generator gen = at::detail::createCPUGenerator(5);
  for (double alpha : {0.05, 0.3, 1.0, 4.0}) {
    for (double k : {0.3, 1.0, 2.5, 5.7}) {
      at::Tensor scores = at::randn({16, 6}, gen, at::kDouble);
      SoftTopK out = laplace_soft_topk(scores, at::tensor(k, at::kDouble), alpha);
      INFO("alpha " << alpha << ", k " << k);
      CHECK(at::allclose(out.weights.sum(1), at::full({16}, k, at::kDouble), 1e-9, 1e-9));
      for (int64_t t = 0; t < 16; ++t) {
        CHECK(out.threshold[t].item<double>() == Approx(bisect_threshold(scores[t], k, alpha)).margin(1e-8));
      }
    }
  }
}

TEST_CASE("soft top-k with ties and extreme scales stays finite", "[core][router][soft_topk]") {
  at::Tensor tied = at::tensor({1.0, 1.0, 1.0, 1.0, -2.0}, at::kDouble).reshape({1, 5});
  SoftTopK out = laplace_soft_topk(tied, at::tensor(2.0, at::kDouble), 0.01);
  CHECK(at::allclose(out.weights, at::tensor({0.5, 0.5, 0.5, 0.5, 0.0}, at::kDouble).reshape({1, 5}), 1e-9, 1e-9));
  at::Tensor wide = at::tensor({300.0, 0.0, -300.0}, at::kFloat).reshape({1, 3});
  SoftTopK small_alpha = laplace_soft_topk(wide, at::tensor(1.5f), 0.01);
  CHECK(at::isfinite(small_alpha.weights).all().item<bool>());
  CHECK(small_alpha.weights.sum().item<double>() == Approx(1.5).epsilon(1e-5));
}

TEST_CASE("soft top-k gradients match finite differences", "[core][router][soft_topk]") {
  at::Generator gen = at::detail::createCPUGenerator(11);
  at::Tensor scores = at::randn({4, 5}, gen, at::kDouble).requires_grad_(true);
  at::Tensor k = at::tensor(2.3, at::kDouble).requires_grad_(true);
  at::Tensor mix = at::randn({4, 5}, gen, at::kDouble);  // a generic linear readout of p
  const double alpha = 0.4;
  auto objective = [&](const at::Tensor& s, const at::Tensor& kk) {
    return (laplace_soft_topk(s, kk, alpha).weights * mix).sum();
  };
  objective(scores, k).backward();
  const double h = 1e-6;
  torch::NoGradGuard no_grad;
  for (int64_t t = 0; t < 4; ++t) {
    for (int64_t i = 0; i < 5; ++i) {
      at::Tensor up = scores.detach().clone(), down = scores.detach().clone();
      up[t][i] += h;
      down[t][i] -= h;
      const double numeric = (objective(up, k).item<double>() - objective(down, k).item<double>()) / (2 * h);
      CHECK(scores.grad()[t][i].item<double>() == Approx(numeric).margin(1e-6));
    }
  }
  const double numeric_k = (objective(scores.detach(), k.detach() + h).item<double>() -
                            objective(scores.detach(), k.detach() - h).item<double>()) /
                           (2 * h);
  CHECK(k.grad().item<double>() == Approx(numeric_k).margin(1e-6));
}

TEST_CASE("soft top-k tends to the hard top-k mask as alpha shrinks", "[core][router][soft_topk]") {
  at::Tensor scores = at::tensor({0.9, -0.3, 2.0, 0.1, -1.5}, at::kDouble).reshape({1, 5});
  SoftTopK out = laplace_soft_topk(scores, at::tensor(2.0, at::kDouble), 1e-3);
  CHECK(at::allclose(out.weights, at::tensor({1.0, 0.0, 1.0, 0.0, 0.0}, at::kDouble).reshape({1, 5}), 0, 1e-6));
}

TEST_CASE("learned layer budgets keep their mean and the router runs about k experts", "[core][router][soft_topk]") {
  at::Tensor theta = at::tensor({0.3, -0.2, 0.1}, at::kFloat);
  at::Tensor budgets = soft_topk_layer_budgets(theta, 2.0, 8);
  CHECK(budgets.mean().item<double>() == Approx(2.0).epsilon(1e-6));
  CHECK(budgets[0].item<double>() > budgets[2].item<double>());

  RouterConfig config;
  config.type = "soft_topk";
  config.options.set("model.router.soft_alpha", 0.05);
  at::Generator init = at::detail::createCPUGenerator(2);
  SoftTopKRouter router(config, 16, 8, init);
  at::Tensor x = at::randn({256, 16}, init);
  RouteOptions options;
  options.layer_k = at::tensor(3.0f);
  RoutingDecision d = router.route(x, options);
  // Standardised scores and a small alpha make p nearly 0/1: about k experts pass 0.5.
  const double experts = d.expert_index.ge(0).sum().item<double>() / 256.0;
  CHECK(experts == Approx(3.0).epsilon(0.05));
  CHECK(d.gate.sum(1).mean().item<double>() == Approx(1.0).epsilon(0.05));  // gates p / k of a crisp top-k
}

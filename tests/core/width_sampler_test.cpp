// Multi-width samplers: which passes a step runs, widest first, reproducibly.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "core/model/width_chooser.h"
#include "core/train/lr_schedule.h"
#include "core/train/width_sampler.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;

namespace {

RoutingDecision fake_routing(int64_t tokens, int64_t k, int64_t experts) {
  RoutingDecision d;
  d.expert_index = at::arange(tokens * k, at::kLong).remainder(experts).reshape({tokens, k});
  d.probs = at::full({tokens, experts}, 1.0 / experts);
  return d;
}

}  // namespace

TEST_CASE("sandwich runs max, min and n random passes, all runs every width", "[core][width]") {
  ModelConfig model = testing::tiny_model();
  WidthTrainingConfig w;
  w.sampler = "sandwich";
  w.options.set("train.width.sandwich_random", 2);
  auto passes = WidthSampler(w, model).passes(1);
  REQUIRE(passes.size() == 4);
  CHECK(passes[0].full_width);
  CHECK(passes[0].label == "w=1");
  CHECK(passes[1].label == "w=0.25");
  w.sampler = "all";
  passes = WidthSampler(w, model).passes(1);
  REQUIRE(passes.size() == 4);
  CHECK(passes[0].label == "w=1");
  CHECK(passes[3].label == "w=0.25");
  w.widths = {1.0};  // standard MoE: one full-width pass whatever the sampler
  w.sampler = "sandwich";
  CHECK(WidthSampler(w, model).passes(1).size() == 1);
}

TEST_CASE("random passes at each granularity draw from W, reproducibly", "[core][width]") {
  ModelConfig model = testing::tiny_model();
  const int64_t d_ff = model.d_ff;
  RoutingDecision routing = fake_routing(64, 2, model.n_experts);
  for (const char* granularity : {"step", "layer", "expert", "token"}) {
    WidthTrainingConfig w;
    w.sampler = "random";
    w.granularity = granularity;
    WidthSampler sampler(w, model);
    at::Tensor a = sampler.passes(42)[0].chooser->hidden_units(1, routing, d_ff);
    at::Tensor b = sampler.passes(42)[0].chooser->hidden_units(1, routing, d_ff);
    INFO(granularity);
    CHECK(at::equal(a, b));
    at::Tensor allowed = at::tensor({8, 16, 24, 32}, at::kLong);
    CHECK(at::isin(a, allowed).all().item<bool>());
    if (std::string(granularity) == "token") CHECK(a.min().item<int64_t>() < a.max().item<int64_t>());
    if (std::string(granularity) == "expert") {  // one width per expert: equal experts, equal widths
      at::Tensor e = routing.expert_index.reshape({-1}), m = a.reshape({-1});
      for (int64_t x = 0; x < model.n_experts; ++x) {
        at::Tensor of_x = m.index({e.eq(x)});
        CHECK(of_x.min().item<int64_t>() == of_x.max().item<int64_t>());
      }
    }
  }
}

TEST_CASE("hidden units round and clamp to [1, d_ff]", "[core][width]") {
  CHECK(hidden_units_for(1.0, 256) == 256);
  CHECK(hidden_units_for(0.25, 256) == 64);
  CHECK(hidden_units_for(0.001, 256) == 1);
  CHECK(hidden_units_for(0.33, 10) == 3);
  CHECK_THROWS(UniformWidth(1.5));
}

TEST_CASE("learning rate: warmup, cosine to the floor, linear, constant", "[core][schedule]") {
  OptimConfig o;
  o.lr = 1.0;
  o.min_lr_ratio = 0.1;
  o.warmup_steps = 10;
  CHECK(learning_rate_at(o, 0, 110) == Approx(0.1));
  CHECK(learning_rate_at(o, 9, 110) == Approx(1.0));
  CHECK(learning_rate_at(o, 10, 110) == Approx(1.0));
  CHECK(learning_rate_at(o, 109, 110) == Approx(0.1));
  CHECK(learning_rate_at(o, 10 + 99 / 2, 110) == Approx(0.55).epsilon(0.02));
  o.schedule = "linear";
  CHECK(learning_rate_at(o, 109, 110) == Approx(0.1));
  o.schedule = "constant";
  CHECK(learning_rate_at(o, 100, 110) == Approx(1.0));
}

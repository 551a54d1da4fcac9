// Every routing regime with every kind of width chooser (training samplers at each
// granularity and the inference policies): the forward and backward passes run, the
// widths reach exactly the assignments that compute, and the FLOPs and achieved budget
// follow from what ran.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <memory>

#include "core/model/gpt.h"
#include "core/model/width_chooser.h"
#include "core/policy/threshold_width.h"
#include "core/policy/ttt_width.h"
#include "core/spec/flops.h"
#include "core/spec/routing_regime.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using namespace mose::core::policy;

namespace {

ModelConfig regime_model(const std::string& router) {
  ModelConfig m = testing::tiny_model();
  m.router.type = router;
  m.router.options.set("model.router.granularity", 2);  // deepseek: 8 experts of 16, 1 shared, top-3 routed
  m.router.options.set("model.router.top_p", 0.6);
  m.router.options.set("model.router.k_max", 3);
  return m;
}

std::vector<std::unique_ptr<WidthChooser>> choosers(const ModelConfig& m) {
  std::vector<std::unique_ptr<WidthChooser>> out;
  const int layers = m.n_moe_layers(), experts = m.routed_experts();
  out.push_back(std::make_unique<UniformWidth>(0.5));
  out.push_back(std::make_unique<PerLayerWidth>(std::vector<double>(layers, 0.25)));
  out.push_back(
      std::make_unique<PerExpertWidth>(std::vector<std::vector<double>>(layers, std::vector<double>(experts, 0.75))));
  out.push_back(
      std::make_unique<RandomAssignmentWidth>(std::vector<double>{0.25, 1.0}, at::detail::createCPUGenerator(4)));
  ThresholdSchedule schedule{{0.3}, {0.5, 1.0}};
  out.push_back(std::make_unique<ThresholdWidth>(std::vector<ThresholdSchedule>(layers, schedule)));
  out.push_back(std::make_unique<TttWidth>(0.5, std::vector<double>{0.25, 0.5, 0.75, 1.0},
                                           std::vector<TttLayer>(layers, TttLayer{1.0, 1.0})));
  return out;
}

}  // namespace

TEST_CASE("every routing regime runs with every width chooser", "[core][routing]") {
  for (const std::string& router : spec::router_regimes().names()) {
    ModelConfig m = regime_model(router);
    Gpt model(m, 3);
    at::Tensor tokens = at::randint(m.vocab_size, {2, m.seq_len}, at::detail::createCPUGenerator(5));
    for (const auto& widths : choosers(m)) {
      INFO(router << " with " << widths->describe());
      for (bool training : {true, false}) {
        ForwardContext context;
        context.widths = widths.get();
        context.training = training;
        context.generator = at::detail::createCPUGenerator(6);
        context.collect_stats = true;
        model.zero_grad();
        ForwardResult out = model.forward(tokens, context);
        REQUIRE(at::isfinite(out.logits).all().item<bool>());
        (out.logits.mean() + out.aux_loss).backward();
        for (const auto& p : model.parameters()) {
          if (p.grad().defined()) CHECK(at::isfinite(p.grad()).all().item<bool>());
        }
        const std::vector<MoeLayerStats> stats = read_usage(out.moe_usage);
        REQUIRE(stats.size() == static_cast<size_t>(m.n_moe_layers()));
        for (const MoeLayerStats& s : stats) {
          int64_t histogram = 0;
          for (int64_t c : s.width_histogram) histogram += c;
          CHECK(histogram == s.computed() + s.shared_assignments);  // one width per assignment that ran
          CHECK(s.tokens == 2 * m.seq_len);
          CHECK(s.hidden_units <= (s.computed() + s.shared_assignments) * m.expert_d_ff());
        }
        const double budget = achieved_width_budget(stats, m.expert_d_ff());
        CHECK(budget > 0.0);
        CHECK(budget <= 1.0);
        if (widths->describe().rfind("uniform", 0) == 0) CHECK(budget == Approx(0.5));
      }
    }
  }
}

TEST_CASE("regime FLOPs: null experts count in the router only, deepseek keeps compute", "[core][routing][flops]") {
  ModelConfig topk = regime_model("topk"), nulls = regime_model("null_experts"), deepseek = regime_model("deepseek");
  nulls.router.options.set("model.router.null_experts", 3);
  nulls.vocab_size = topk.vocab_size = deepseek.vocab_size = 64;
  const double d = topk.d_model, layers = topk.n_moe_layers();
  CHECK(non_expert_flops_per_token(nulls, 16).router == Approx(layers * 2 * d * (4 + 3)));
  CHECK(non_expert_flops_per_token(topk, 16).router == Approx(layers * 2 * d * 4));
  // deepseek: m * E - K_s = 7 routed experts score; m * K = 4 experts of d_ff / 2 = 2 full experts.
  CHECK(non_expert_flops_per_token(deepseek, 16).router == Approx(layers * 2 * d * 7));
  CHECK(full_width_expert_flops_per_token(deepseek) == Approx(full_width_expert_flops_per_token(topk)));
  // A shared expert at the token's mean routed width: uniform 0.5 halves it too.
  Gpt model(deepseek, 1);
  UniformWidth half(0.5);
  ForwardContext context;
  context.widths = &half;
  context.collect_stats = true;
  at::Tensor tokens = at::randint(64, {1, 16}, at::detail::createCPUGenerator(2));
  ForwardResult out = model.forward(tokens, context);
  for (const MoeLayerStats& s : read_usage(out.moe_usage)) {
    CHECK(s.shared_assignments == 16);
    CHECK(s.computed() == 16 * 3);
    CHECK(s.hidden_units == (16 * 3 + 16) * 8);  // every assignment at 8 of 16 hidden units
  }
  deepseek.router.options.set("model.router.shared_slimmable", false);
  Gpt full_shared(deepseek, 1);
  out = full_shared.forward(tokens, context);
  for (const MoeLayerStats& s : read_usage(out.moe_usage)) CHECK(s.hidden_units == 16 * 3 * 8 + 16 * 16);
}

TEST_CASE("a chooser's uniform width, where it reports one, is the width of every assignment", "[core][width]") {
  ModelConfig m = regime_model("topk");
  Gpt model(m, 3);
  at::Tensor tokens = at::randint(m.vocab_size, {2, m.seq_len}, at::detail::createCPUGenerator(5));
  int reported = 0;
  for (const auto& widths : choosers(m)) {
    ForwardContext context;
    context.widths = widths.get();
    context.keep_routing = true;
    ForwardResult out = model.forward(tokens, context);
    for (int layer = 0; layer < m.n_moe_layers(); ++layer) {
      const std::optional<int64_t> uniform = widths->uniform_hidden_units(layer, m.expert_d_ff());
      if (!uniform) continue;
      ++reported;
      RoutingDecision routing;
      routing.expert_index = out.expert_index[layer];
      routing.probs = out.router_probs[layer];
      INFO(widths->describe() << " layer " << layer);
      CHECK(widths->hidden_units(layer, routing, m.expert_d_ff()).eq(*uniform).all().item<bool>());
    }
  }
  CHECK(reported == 2 * m.n_moe_layers());  // uniform and per-layer report one; per-token choosers do not
}

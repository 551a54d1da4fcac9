// Every routing regime trains end to end on the default corpus (a small prefix of GCIDE,
// byte-level): its loss falls well below the untrained model's, the experts per token it
// measures in evaluation match its setting, and the width policies meet their budgets on it.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "core/spec/engine.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;

namespace {

RunConfig regime_run(const std::filesystem::path& dir, const std::string& router) {
  RunConfig c = testing::gcide_run(dir, 400'000);
  c.model.d_ff = 64;
  c.model.router.type = router;
  c.train.steps = 80;
  c.train.log_every = 40;
  c.train.optim.lr = 1e-2;
  c.train.optim.warmup_steps = 10;
  c.train.width.widths = {0.5, 1.0};  // MoSE: sandwich over two widths
  c.train.width.options.set("train.width.sandwich_random", 0);
  c.train.checkpoint_path = (dir / (router + ".pt")).string();
  c.eval.tokens = 2048;
  c.eval.batch_size = 16;
  return c;
}

double experts_per_token(const LmEvalResult& r) {
  double computed = 0, tokens = 0;
  for (const MoeLayerStats& s : r.layers) computed += s.computed(), tokens += s.tokens;
  return computed / tokens;
}

// Trains, then evaluates at widths 1.0 and 0.5 and under ttt at budget 0.5.
struct RegimeResult {
  LmEvalResult full, half, ttt;
};

RegimeResult train_and_evaluate(const RunConfig& c) {
  TrainSummary summary = train_run(c);
  REQUIRE(summary.outcome.steps_done == c.train.steps);
  RegimeResult r;
  r.full = evaluate_run(c, c.train.checkpoint_path, {"uniform", 1.0});
  r.half = evaluate_run(c, c.train.checkpoint_path, {"uniform", 0.5});
  WidthPolicySpec ttt;
  ttt.name = "ttt";
  ttt.budget = 0.5;
  r.ttt = evaluate_run(c, c.train.checkpoint_path, ttt);
  const double untrained = std::log(256.0);  // byte vocabulary, uniform predictions
  INFO(c.model.router.type << ": loss " << r.full.lm_loss << " at 1.0, " << r.half.lm_loss << " at 0.5, ttt "
                           << r.ttt.lm_loss << " at budget " << r.ttt.expert_budget);
  CHECK(r.full.lm_loss < untrained - 2.0);
  CHECK(r.half.lm_loss < untrained - 1.5);
  CHECK(r.full.expert_budget == Approx(1.0));
  CHECK(r.half.expert_budget == Approx(0.5).epsilon(0.01));
  CHECK(r.ttt.expert_budget == Approx(0.5).epsilon(0.01));
  return r;
}

}  // namespace

TEST_CASE("routing regime topk trains and runs k experts per token", "[core][routing][training]") {
  testing::TempDir dir;
  RegimeResult r = train_and_evaluate(regime_run(dir.path(), "topk"));
  CHECK(experts_per_token(r.full) == Approx(2.0));
}

TEST_CASE("routing regime expert_choice trains and runs c experts per token", "[core][routing][training]") {
  testing::TempDir dir;
  RunConfig c = regime_run(dir.path(), "expert_choice");
  c.model.router.options.set("model.router.expert_capacity",
                             1.5);  // C = ceil(1.5 * 32 / 4) = 12 tokens per expert per sequence
  RegimeResult r = train_and_evaluate(c);
  CHECK(experts_per_token(r.full) == Approx(1.5));
}

TEST_CASE("routing regime deepseek trains with fine-grained and shared experts", "[core][routing][training]") {
  testing::TempDir dir;
  RunConfig c = regime_run(dir.path(), "deepseek");
  c.model.router.options.set("model.router.granularity", 2);     // 8 experts of 32 hidden units, 1 shared, 7 routed
  c.model.router.options.set("model.router.shared_experts", 1);  // top-(2 * 2 - 1) = top-3 routed + 1 shared
  RegimeResult r = train_and_evaluate(c);
  CHECK(experts_per_token(r.full) == Approx(3.0));
  for (const MoeLayerStats& s : r.full.layers) {
    CHECK(s.shared_assignments == s.tokens);
    CHECK(s.tokens_per_expert.size() == 7);
  }
  // Iso-compute with top-2 over 4 experts of 64: 4 fine experts of 32 per token.
  CHECK(r.full.flops.experts == Approx(2 * 2 * 64 * 4.0 * 32));
}

TEST_CASE("routing regime top_p trains and uses between 1 and k_max experts", "[core][routing][training]") {
  testing::TempDir dir;
  RunConfig c = regime_run(dir.path(), "top_p");
  c.model.router.options.set("model.router.top_p", 0.7);  // at 0.5, top-2 of 4 always reaches p: top_p would equal topk
  c.model.router.top_k = 3;
  RegimeResult r = train_and_evaluate(c);
  const double used = experts_per_token(r.full);
  CHECK(used >= 1.0);
  CHECK(used <= 3.0);
  for (const MoeLayerStats& s : r.full.layers) {
    CHECK(s.experts_per_token[0] == 0);  // every token reaches p with at least one expert
    CHECK(s.experts_per_token.size() == 4);
  }
}

TEST_CASE("routing regime null_experts trains and real experts fill the non-null slots", "[core][routing][training]") {
  testing::TempDir dir;
  RunConfig c = regime_run(dir.path(), "null_experts");
  c.model.router.options.set("model.router.null_experts", 2);
  c.model.router.options.set("model.router.null_target", 0.25);
  c.model.router.options.set("model.router.null_loss_coef", 0.1);
  RegimeResult r = train_and_evaluate(c);
  double nulls = 0, tokens = 0;
  for (const MoeLayerStats& s : r.full.layers) nulls += s.null_assignments, tokens += s.tokens;
  CHECK(experts_per_token(r.full) == Approx(2.0 - nulls / tokens));
  CHECK(nulls / (2 * tokens) < 0.5);  // steered towards 0.25 of the slots, not collapsed onto nulls
}

TEST_CASE("routing regime random_k trains over k in [1, 3] and runs top_k at inference", "[core][routing][training]") {
  testing::TempDir dir;
  RunConfig c = regime_run(dir.path(), "random_k");
  c.model.router.options.set("model.router.k_min", 1);
  c.model.router.options.set("model.router.k_max", 3);
  RegimeResult r = train_and_evaluate(c);
  CHECK(experts_per_token(r.full) == Approx(2.0));
  // Any k at inference, through the uniform_k policy: expert FLOPs follow k.
  std::vector<double> expert_flops;
  for (int k : {1, 2, 3}) {
    WidthPolicySpec policy{.name = "uniform_k", .width = 1.0, .experts_per_token = k};
    LmEvalResult at_k = evaluate_run(c, c.train.checkpoint_path, policy);
    CHECK(experts_per_token(at_k) == Approx(k));
    CHECK(at_k.expert_budget == Approx(1.0));
    expert_flops.push_back(at_k.flops.experts);
  }
  CHECK(expert_flops[2] == Approx(3 * expert_flops[0]));
  // A model whose router cannot change k says so.
  RunConfig topk = regime_run(dir.path(), "topk");
  train_run(topk);
  CHECK_THROWS_WITH(evaluate_run(topk, topk.train.checkpoint_path, {.name = "uniform_k", .experts_per_token = 3}),
                    Catch::Contains("needs model.router.type = \"random_k\", not \"topk\""));
}

TEST_CASE("routing regime soft_topk trains and runs its learned budget of experts", "[core][routing][training]") {
  testing::TempDir dir;
  RunConfig c = regime_run(dir.path(), "soft_topk");
  c.model.router.options.set("model.router.soft_alpha", 0.05);
  RegimeResult r = train_and_evaluate(c);
  // The learned per-layer k average to top_k = 2 by construction; measured within 5%.
  CHECK(experts_per_token(r.full) == Approx(2.0).epsilon(0.05));
}

// evaluate_run with budgeted policies: calibrated on the first validation windows,
// evaluated on the ones after them, at the expert budget asked for.
#include <catch2/catch.hpp>

#include <cmath>

#include "base/errors.h"
#include "core/engine.h"
#include "test_support.h"

using namespace mose::core;

TEST_CASE("evaluate_run builds threshold and ttt policies by name at their budget", "[core][policy]") {
  testing::TempDir dir;
  RunConfig c;
  c.data.max_bytes = 400'000;
  c.data.cache_dir = dir.path() / "data";
  c.model.n_layer = 2;
  c.model.n_head = 2;
  c.model.d_model = 32;
  c.model.seq_len = 32;
  c.model.n_experts = 4;
  c.model.d_ff = 64;
  c.model.router.top_k = 2;
  c.train.steps = 20;
  c.train.batch_size = 8;
  c.train.device = "cpu";
  c.train.log_every = 10;
  c.train.optim.warmup_steps = 5;
  c.train.checkpoint_path = (dir.path() / "run.pt").string();
  c.eval.tokens = 4096;
  c.eval.batch_size = 16;
  train_run(c);

  const LmEvalResult uniform = evaluate_run(c, c.train.checkpoint_path, {"uniform", 0.5});
  CHECK(uniform.expert_budget == Approx(0.5));
  WidthPolicySpec spec;
  spec.budget = 0.6;
  for (const char* name : {"threshold", "ttt"}) {
    spec.name = name;
    const LmEvalResult r = evaluate_run(c, c.train.checkpoint_path, spec);
    INFO(name << ": loss " << r.lm_loss << ", budget " << r.expert_budget);
    CHECK(std::isfinite(r.lm_loss));
    CHECK(r.tokens == uniform.tokens);  // the same number of windows, after the calibration ones
    CHECK(r.expert_budget == Approx(0.6).epsilon(0.05));
  }
  spec.name = "ttt";
  spec.gamma = 1.0;
  CHECK(evaluate_run(c, c.train.checkpoint_path, spec).expert_budget == Approx(0.6).epsilon(0.05));
  spec.name = "layer_budget";
  CHECK_THROWS_WITH(evaluate_run(c, c.train.checkpoint_path, spec),
                    Catch::Contains("unknown width policy; known: uniform, threshold, ttt"));
}

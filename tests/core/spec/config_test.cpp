// Config validation names the field, the value and what was expected.
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "core/spec/config.h"
#include "core/spec/settings.h"

using namespace mose::core::spec;

TEST_CASE("invalid model settings name their field", "[core][config]") {
  ModelConfig m;
  m.d_model = 130;
  m.n_head = 4;
  CHECK_THROWS_WITH(m.validate(), "model.d_model = 130: expected a positive multiple of model.n_head");
  m = ModelConfig{};
  m.router.top_k = 5;
  CHECK_THROWS_WITH(m.validate(), "model.router.top_k = 5: expected between 1 and model.n_experts");
  m = ModelConfig{};
  m.activation = "relu";
  CHECK_THROWS_WITH(m.validate(), "model.activation = 'relu': expected one of gelu, swiglu");
  m = ModelConfig{};
  m.moe_stride = 3;  // two layers, none of them MoE
  CHECK_THROWS_WITH(m.validate(), Catch::Contains("model.moe_stride = 3"));
  CHECK_THROWS_AS(m.validate(), mose::ConfigError);
}

TEST_CASE("width training settings are checked", "[core][config]") {
  WidthTrainingConfig w;
  w.widths = {0.5, 0.25, 1.0};
  CHECK_THROWS_WITH(w.validate(), Catch::Contains("strictly increasing"));
  w.widths = {0.25, 0.5};
  CHECK_THROWS_WITH(w.validate(), "train.width.widths = 0.5: expected the largest width to be 1.0");
  w.widths = {0.0, 1.0};
  CHECK_THROWS_WITH(w.validate(), Catch::Contains("every width in (0, 1]"));
  w = WidthTrainingConfig{};
  w.granularity = "block";
  CHECK_THROWS_WITH(w.validate(), "train.width.granularity = 'block': expected one of step, layer, expert, token");
  CHECK_FALSE(w.is_standard_moe());
  w.widths = {1.0};
  CHECK(w.is_standard_moe());
}

TEST_CASE("the training fingerprint ignores eval and logging, not training settings", "[core][config]") {
  RunConfig a;
  const std::string base = training_fingerprint(a);
  CHECK(base.size() == 16);
  RunConfig b = a;
  b.eval.tokens = 99;
  b.train.log_every = 7;
  b.train.device = "cuda";
  CHECK(training_fingerprint(b) == base);
  b.train.width.sampler = "all";
  CHECK(training_fingerprint(b) != base);
  RunConfig c = a;
  c.model.router.z_loss_coef = 0.002;
  CHECK(training_fingerprint(c) != base);
  CHECK(stable_hash("") == "cbf29ce484222325");  // FNV-1a 64 offset basis
}

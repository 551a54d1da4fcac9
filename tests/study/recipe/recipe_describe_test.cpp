// The `mose-study check` summary and the compute estimates behind it.
#include "study/recipe/recipe.h"

#include <catch2/catch.hpp>

#include "core/spec/flops.h"
#include "core/spec/routing_regime.h"
#include "core/spec/width_sampler.h"

namespace mose::study::recipe {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(MOSE_SOURCE_DIR) / "tests/study/recipe/recipes";

core::spec::RunConfig small_config() {
  core::spec::RunConfig config;
  config.model.n_layer = 2;
  config.model.d_model = 64;
  config.model.n_head = 4;
  config.model.seq_len = 32;
  config.model.n_experts = 4;
  config.model.d_ff = 128;
  config.model.router.top_k = 2;
  config.train.batch_size = 8;
  config.train.grad_accum = 2;
  config.train.steps = 10;
  return config;
}

}  // namespace

TEST_CASE("Training FLOPs are 3 x forward x tokens x passes x steps", "[study][recipe]") {
  core::spec::RunConfig config = small_config();
  core::spec::ModelConfig model = config.model;
  model.vocab_size = 256;  // the byte tokenizer's, as vocab_size 0 resolves
  const double forward =
      core::spec::non_expert_flops_per_token(model, 32).total() + core::spec::full_width_expert_flops_per_token(model);
  const double per_pass = 3.0 * forward * (8 * 2 * 32) * 10;

  config.train.width.widths = {1.0};
  config.train.width.sampler = "sandwich";
  CHECK(estimate_training_flops(config) == Approx(per_pass));  // one width: one pass
  config.train.width.widths = {0.25, 0.5, 1.0};
  CHECK(estimate_training_flops(config) == Approx(per_pass * (2 + 2)));  // max + min + 2 random
  config.train.width.sampler = "all";
  CHECK(estimate_training_flops(config) == Approx(per_pass * 3));
  config.train.width.sampler = "random";
  CHECK(estimate_training_flops(config) == Approx(per_pass));

  // A nanogpt vocabulary comes from data.vocab_size; an explicit model vocabulary wins.
  config.data.format = "nanogpt";
  config.data.vocab_size = 50304;
  model.vocab_size = 50304;
  const double gpt2_forward =
      core::spec::non_expert_flops_per_token(model, 32).total() + core::spec::full_width_expert_flops_per_token(model);
  CHECK(estimate_training_flops(config) == Approx(3.0 * gpt2_forward * (8 * 2 * 32) * 10));
  config.model.vocab_size = 256;
  CHECK(estimate_training_flops(config) == Approx(per_pass));
}

TEST_CASE("Evaluation FLOPs scale the expert share with the uniform width", "[study][recipe]") {
  const core::spec::RunConfig config = small_config();
  core::spec::ModelConfig model = config.model;
  model.vocab_size = 256;
  const double rest = core::spec::non_expert_flops_per_token(model, 32).total();
  const double experts = core::spec::full_width_expert_flops_per_token(model);
  CHECK(estimate_evaluation_flops(config, {.name = "uniform", .width = 0.5}) ==
        Approx((rest + 0.5 * experts) * config.eval.tokens));
  CHECK(estimate_evaluation_flops(config, {.name = "uniform", .width = 1.0}) ==
        Approx((rest + experts) * config.eval.tokens));
}

TEST_CASE("describe_recipe lists counts, axes, policies, trials and compute", "[study][recipe]") {
  const Recipe recipe = load_recipe(kFixtures / "readme_example.toml");
  const std::string text = describe_recipe(recipe);
  using Catch::Matchers::Contains;
  CHECK_THAT(text, Contains("study quickstart: MoE vs MoSE, top-1 vs top-2, two seeds\n"));
  CHECK_THAT(text, Contains("readme_example.toml "));
  CHECK_THAT(text, Contains("base.toml\n"));
  CHECK_THAT(text, Contains("  training trials: 9\n  evaluation trials: 36\n"));
  CHECK_THAT(text, Contains("    mode (2): moe, mose\n"));
  CHECK_THAT(text, Contains("    model.router.top_k (2): 1, 2\n"));
  CHECK_THAT(text, Contains("    train.seed (2): 1, 2\n"));
  CHECK_THAT(text, Contains("    train.width.sampler (2): sandwich, all\n"));
  CHECK_THAT(text, Contains("policies per training trial (4): policy=uniform,width=0.25; policy=uniform,width=0.5; "
                            "policy=uniform,width=0.75; policy=uniform,width=1\n"));
  // The extensions the trials use, each with its descriptor's summary.
  const auto& spec_regimes = core::spec::router_regimes();
  CHECK_THAT(text, Contains("  routing regimes: topk (" + spec_regimes.at("topk").summary + ")\n"));
  CHECK_THAT(text, Contains("  width samplers: sandwich (" + core::spec::width_samplers().at("sandwich").summary +
                            "); all (" + core::spec::width_samplers().at("all").summary + ")\n"));
  CHECK_THAT(text, Contains("  model families: gpt ("));
  CHECK_THAT(text, Contains("  width policies: uniform ("));
  for (const TrainingTrialSpec& trial : recipe.training) {
    CHECK_THAT(text, Contains(trial.config_hash));
    CHECK_THAT(text,
               Contains(core::spec::format_bytes(training_memory(trial.config).total()) + "  " + trial.label + "\n"));
  }
  CHECK_THAT(text, Contains("  compute: training ~"));
  CHECK_THAT(text, Contains("  memory: up to ~"));
  CHECK_THAT(text, Contains(" parameters: weights "));
}

TEST_CASE("Training memory resolves the vocabulary as the compute estimate does", "[study][recipe]") {
  core::spec::RunConfig config = small_config();
  core::spec::ModelConfig model = config.model;
  model.vocab_size = 256;  // the byte tokenizer's
  CHECK(training_memory(config).total() ==
        core::spec::estimate_training_memory(model, config.train, config.eval).total());
  config.data.format = "nanogpt";
  config.data.vocab_size = 50304;
  model.vocab_size = 50304;
  CHECK(training_memory(config).parameters ==
        core::spec::estimate_training_memory(model, config.train, config.eval).parameters);
  CHECK(training_memory(config).parameters > 50304.0 * 64);  // the embedding counts
}

}  // namespace mose::study::recipe

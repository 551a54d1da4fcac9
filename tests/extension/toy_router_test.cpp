// Adding a routing regime touches only the regime's own files. This file is such a
// regime, "toy_round_robin" (token t takes expert t mod E at a fixed gate), made of a
// descriptor and a router factory registered from here and nowhere else; the tests show
// that recipes, `mose-study check`, the reference, validation, trial identity, training
// and evaluation all pick it up, and that it leaves every other trial's hash alone.
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "base/errors.h"
#include "core/model/routing.h"
#include "core/spec/engine.h"
#include "core/spec/reference_doc.h"
#include "core/spec/routing_regime.h"
#include "core/spec/settings.h"
#include "core/test_support.h"
#include "study/recipe/recipe.h"

using namespace mose::core;

namespace {

constexpr char kToyGate[] = "model.router.toy_gate";

// --- The torch-free half: the descriptor. ---
spec::RouterRegime toy_regime() {
  spec::RouterRegime regime;
  regime.name = "toy_round_robin";
  regime.summary = "test only: token t takes expert t mod E at gate toy_gate";
  regime.reference = "tests/extension/toy_router_test.cpp";
  regime.settings = {{.name = "toy_gate",
                      .kind = spec::SettingKind::kFloat,
                      .default_value = 1.0,
                      .description = "the gate every assignment gets",
                      .range = spec::SettingRange::positive()}};
  regime.validate = [](const spec::ModelConfig& m) {
    if (m.router.top_k != 1) throw mose::ConfigError("model.router.top_k: toy_round_robin routes one expert per token");
  };
  return regime;
}

const spec::Registration<spec::RouterRegime> kDescriptor(spec::router_regimes(), toy_regime());

// --- The torch half: the router and its factory. ---
class ToyRouter : public model::Router {
 public:
  ToyRouter(int n_experts, double gate) : n_experts_(n_experts), gate_(gate) {}

  // x: [T, d] -> one slot per token: expert t mod E, gate toy_gate; no router losses.
  model::RoutingDecision route(const at::Tensor& x, const model::RouteOptions&) override {
    const int64_t tokens = x.size(0);
    const auto f32 = x.options().dtype(at::kFloat);
    model::RoutingDecision d;
    d.expert_index = at::arange(tokens, x.options().dtype(at::kLong)).remainder(n_experts_).unsqueeze(1);
    d.gate = at::full({tokens, 1}, gate_, f32);
    d.probs = at::full({tokens, n_experts_}, 1.0 / n_experts_, f32);
    d.balance_loss = d.z_loss = d.aux_loss = at::zeros({}, f32);
    return d;
  }
  int slots() const override { return 1; }

 private:
  int n_experts_;
  double gate_;
};

std::shared_ptr<model::Router> make_toy_router(const spec::ModelConfig& m, at::Generator&) {
  return std::make_shared<ToyRouter>(m.routed_experts(), m.router.options.number(kToyGate));
}

const spec::Registration<model::RouterFactory> kFactory(model::router_factories(),
                                                        {"toy_round_robin", make_toy_router});

// --- Helpers. ---
const std::filesystem::path kSource(MOSE_SOURCE_DIR);

std::filesystem::path write_recipe(const std::filesystem::path& dir, const std::string& trials) {
  const std::filesystem::path path = dir / "toy.toml";
  std::ofstream(path) << fmt::format("include = [\"{}\"]\n[study]\nname = \"toy\"\n{}",
                                     (kSource / "tests/study/recipe/recipes/base.toml").string(), trials);
  return path;
}

}  // namespace

TEST_CASE("a test-only regime is registered on both sides of the torch line", "[extension]") {
  CHECK(spec::router_regimes().find("toy_round_robin") != nullptr);
  CHECK(spec::router_regimes().names() == model::router_factories().names());
}

TEST_CASE("a test-only regime's setting is a recipe key, a check line and a reference row", "[extension]") {
  testing::TempDir dir;
  const auto path = write_recipe(dir.path(), R"(
[[trial]]
"model.router.type" = "toy_round_robin"
"model.router.top_k" = 1
"model.router.toy_gate" = 0.5
[[trial]]
"model.router.type" = "toy_round_robin"
"model.router.top_k" = 1
[[trial]]
"model.router.top_k" = 1
)");
  const mose::study::recipe::Recipe recipe = mose::study::recipe::load_recipe(path);
  REQUIRE(recipe.training.size() == 4);  // the base (topk) and the three trials
  CHECK_THAT(recipe.training[1].config_json, Catch::Contains(R"("toy_gate":0.5)"));
  CHECK_THAT(recipe.training[2].config_json, Catch::Contains(R"("toy_gate":1)"));  // the declared default
  CHECK_THAT(recipe.training[0].config_json, !Catch::Contains("toy_gate"));        // topk: not listed
  CHECK_THAT(recipe.training[3].config_json, !Catch::Contains("toy_gate"));
  CHECK(recipe.training[1].config_hash != recipe.training[2].config_hash);
  CHECK_THAT(mose::study::recipe::describe_recipe(recipe),
             Catch::Contains("toy_round_robin (test only: token t takes expert t mod E at gate toy_gate)"));
  CHECK_THAT(spec::reference_markdown(), Catch::Contains("| `model.router.toy_gate` | number | `1` | positive |"));
}

TEST_CASE("a test-only regime's ranges and checks reach recipe errors", "[extension]") {
  testing::TempDir dir;
  CHECK_THROWS_WITH(mose::study::recipe::load_recipe(write_recipe(dir.path(), R"(
[model.router]
type = "toy_round_robin"
top_k = 1
toy_gate = -1.0
)")),
                    Catch::Contains("model.router.toy_gate = -1: expected positive"));
  CHECK_THROWS_WITH(mose::study::recipe::load_recipe(write_recipe(dir.path(), R"(
[model.router]
type = "toy_round_robin"
top_k = 2
)")),
                    Catch::Contains("toy_round_robin routes one expert per token"));
  CHECK_THROWS_WITH(mose::study::recipe::load_recipe(write_recipe(dir.path(), R"(
[model.router]
toy_gait = 1.0
)")),
                    Catch::Contains("model.router.toy_gait: unknown key; expected a known key such as "
                                    "model.router.toy_gate"));
}

TEST_CASE("registering a regime leaves every other trial's hash as it was", "[extension]") {
  // Pinned in tests/study/recipe/recipe_json_test.cpp before the toy regime existed (the
  // legacy hash; the current one since evaluation settings left the training identity).
  const auto pinned = mose::study::recipe::load_recipe(kSource / "tests/study/recipe/recipes/pinned.toml");
  CHECK(pinned.training.at(0).legacy_config_hash == "e6d2b80b3970f94b");
  CHECK(pinned.training.at(0).config_hash == "a89ec5e86b91df12");
  CHECK(spec::training_fingerprint(pinned.training.at(0).config) == "627f232167a2d6bb");
}

TEST_CASE("a test-only regime trains and evaluates through the engine", "[extension]") {
  testing::TempDir dir;
  spec::RunConfig c = testing::gcide_run(dir.path(), 200'000);
  c.model.router.type = "toy_round_robin";
  c.model.router.top_k = 1;
  c.model.router.options.set(kToyGate, 0.5);
  c.model.d_ff = 64;
  c.train.steps = 20;
  c.train.log_every = 10;
  c.train.width.widths = {0.5, 1.0};
  c.train.checkpoint_path = (dir.path() / "toy.pt").string();
  c.eval.tokens = 1024;
  const spec::TrainSummary summary = spec::train_run(c);
  CHECK(summary.outcome.steps_done == 20);
  CHECK(std::isfinite(summary.outcome.final_lm_loss));
  CHECK(summary.outcome.final_lm_loss < std::log(256.0));
  const spec::LmEvalResult half = spec::evaluate_run(c, c.train.checkpoint_path, {.name = "uniform", .width = 0.5});
  CHECK(half.expert_budget == Approx(0.5));
  for (const spec::MoeLayerStats& layer : half.layers) {
    CHECK(layer.computed() == layer.tokens);  // one expert per token
    // Round robin over each evaluation batch: the experts' loads differ by at most a token per batch.
    const auto [least, most] = std::minmax_element(layer.tokens_per_expert.begin(), layer.tokens_per_expert.end());
    CHECK(*most - *least <= layer.tokens / c.model.seq_len);
  }
}

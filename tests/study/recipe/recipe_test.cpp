// Recipe expansion: grids, modes, explicit trials, includes, policies and labels.
#include "study/recipe/recipe.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "base/errors.h"
#include "core/spec/width_policy.h"
#include "study/study_test_support.h"

namespace mose::study::recipe {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(MOSE_SOURCE_DIR) / "tests/study/recipe/recipes";

// Settings every scratch recipe needs to validate.
constexpr const char* kHeader = R"(
[study]
name = "t"
[data]
cache_dir = "cache"
)";

std::filesystem::path write(const testing::ScratchDir& dir, const std::string& name, const std::string& text) {
  const std::filesystem::path path = dir.path() / name;
  std::ofstream(path) << text;
  return path;
}

Recipe load_text(const std::string& body) {
  testing::ScratchDir dir("recipe");
  return load_recipe(write(dir, "r.toml", std::string(kHeader) + body));
}

std::vector<std::string> labels(const Recipe& recipe) {
  std::vector<std::string> out;
  for (const TrainingTrialSpec& trial : recipe.training) out.push_back(trial.label);
  return out;
}

}  // namespace

TEST_CASE("A recipe without axes is one training trial with the base config", "[study][recipe]") {
  const Recipe recipe = load_text("[model]\nn_layer = 3\n");
  REQUIRE(recipe.training.size() == 1);
  CHECK(recipe.training[0].label == "base");
  CHECK(recipe.training[0].axes.empty());
  CHECK(recipe.training[0].config.model.n_layer == 3);
  CHECK(recipe.training[0].config.model.d_model == core::spec::ModelConfig{}.d_model);  // untouched default
  REQUIRE(recipe.evaluation.size() == 1);  // the implicit full-width evaluation
  CHECK(recipe.evaluation[0].label == "policy=uniform,width=1");
  CHECK(recipe.axis_names.empty());
  CHECK(recipe.name == "t");
}

TEST_CASE("A sweep is a Cartesian product in file order, last axis fastest", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[sweep]
"train.seed" = [1, 2, 3]
model.router.top_k = [1, 2]
"train.optim.lr" = [1e-3, 3e-3]
)");
  REQUIRE(recipe.training.size() == 12);
  CHECK(recipe.axis_names == std::vector<std::string>{"train.seed", "model.router.top_k", "train.optim.lr"});
  CHECK(recipe.training[0].label == "train.seed=1,model.router.top_k=1,train.optim.lr=0.001");
  CHECK(recipe.training[1].label == "train.seed=1,model.router.top_k=1,train.optim.lr=0.003");
  CHECK(recipe.training[2].label == "train.seed=1,model.router.top_k=2,train.optim.lr=0.001");
  CHECK(recipe.training[11].label == "train.seed=3,model.router.top_k=2,train.optim.lr=0.003");
  for (std::size_t i = 0; i < recipe.training.size(); ++i) {
    const core::spec::RunConfig& c = recipe.training[i].config;
    CHECK(c.train.seed == 1 + i / 4);
    CHECK(c.model.router.top_k == static_cast<int>(1 + (i / 2) % 2));
    CHECK(c.train.optim.lr == (i % 2 == 0 ? 1e-3 : 3e-3));
    const std::vector<std::pair<std::string, std::string>> axes{
        {"train.seed", std::to_string(c.train.seed)},
        {"model.router.top_k", std::to_string(c.model.router.top_k)},
        {"train.optim.lr", i % 2 == 0 ? "0.001" : "0.003"}};
    CHECK(recipe.training[i].axes == axes);
  }
}

TEST_CASE("A list-valued key is swept with an array of lists", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[sweep]
"train.width.widths" = [[1.0], [0.5, 1.0], [0.25, 0.5, 1]]
)");
  REQUIRE(recipe.training.size() == 3);
  CHECK(recipe.training[1].config.train.width.widths == std::vector<double>{0.5, 1.0});
  CHECK(labels(recipe) == std::vector<std::string>{"train.width.widths=[1]", "train.width.widths=[0.5,1]",
                                                   "train.width.widths=[0.25,0.5,1]"});
}

TEST_CASE("Modes are the first axis and sweep values override mode settings", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[modes.moe]
"train.width.widths" = [1.0]
"train.steps" = 10
[modes.mose]
train.width.widths = [0.5, 1.0]
train.width.sampler = "all"
[sweep]
"train.steps" = [20, 30]
)");
  CHECK(recipe.axis_names == std::vector<std::string>{"mode", "train.steps"});
  CHECK(labels(recipe) == std::vector<std::string>{"mode=moe,train.steps=20", "mode=moe,train.steps=30",
                                                   "mode=mose,train.steps=20", "mode=mose,train.steps=30"});
  CHECK(recipe.training[0].config.train.width.widths == std::vector<double>{1.0});
  CHECK(recipe.training[0].config.train.steps == 20);  // the sweep wins over the mode's 10
  CHECK(recipe.training[3].config.train.width.sampler == "all");
  CHECK(recipe.training[0].config.train.width.sampler == "sandwich");  // the engine default
  CHECK(recipe.training[2].axes.front() == std::pair<std::string, std::string>{"mode", "mose"});
}

TEST_CASE("An empty mode is the base config", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[modes.plain]
[modes.wide]
"model.d_model" = 256
)");
  CHECK(labels(recipe) == std::vector<std::string>{"mode=plain", "mode=wide"});
  CHECK(recipe.training[0].config.model.d_model == core::spec::ModelConfig{}.d_model);
  CHECK(recipe.training[1].config.model.d_model == 256);
}

TEST_CASE("Explicit trials follow the grid: base, then their mode, then their overrides", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[[trial]]                      # may come before the modes it names
mode = "mose"
"train.width.sampler" = "all"
"train.steps" = 7
[modes.moe]
"train.width.widths" = [1.0]
"train.steps" = 5
[modes.mose]
"train.width.widths" = [0.5, 1.0]
"train.steps" = 6
[sweep]
"train.seed" = [1, 2]
[[trial]]
"model.n_layer" = 3
)");
  REQUIRE(recipe.training.size() == 6);
  CHECK(recipe.axis_names ==
        std::vector<std::string>{"mode", "train.seed", "train.width.sampler", "train.steps", "model.n_layer"});
  const TrainingTrialSpec& explicit_mose = recipe.training[4];
  CHECK(explicit_mose.label == "mode=mose,train.width.sampler=all,train.steps=7");
  CHECK(explicit_mose.config.train.width.widths == std::vector<double>{0.5, 1.0});
  CHECK(explicit_mose.config.train.steps == 7);
  CHECK(explicit_mose.config.train.seed == 1);  // not crossed with the sweep
  CHECK(explicit_mose.axes == std::vector<std::pair<std::string, std::string>>{{"mode", "mose"},
                                                                               {"train.seed", "1"},
                                                                               {"train.width.sampler", "all"},
                                                                               {"train.steps", "7"},
                                                                               {"model.n_layer", "2"}});
  const TrainingTrialSpec& plain = recipe.training[5];
  CHECK(plain.label == "model.n_layer=3");
  CHECK(plain.axes.front() == std::pair<std::string, std::string>{"mode", ""});  // no mode: the base
  CHECK(plain.config.train.width.widths == core::spec::WidthTrainingConfig{}.widths);
  // Grid trials carry the explicit trials' axes too, with their own values.
  CHECK(recipe.training[0].axes[2] == std::pair<std::string, std::string>{"train.width.sampler", "sandwich"});
  CHECK(recipe.training[0].axes[3] == std::pair<std::string, std::string>{"train.steps", "5"});
}

TEST_CASE("The README example expands as documented", "[study][recipe]") {
  const Recipe recipe = load_recipe(kFixtures / "readme_example.toml");
  CHECK(recipe.name == "quickstart");  // overrides base.toml's name
  CHECK(recipe.description == "MoE vs MoSE, top-1 vs top-2, two seeds");
  CHECK(recipe.files == std::vector<std::filesystem::path>{kFixtures / "readme_example.toml", kFixtures / "base.toml"});
  CHECK(recipe.axis_names ==
        std::vector<std::string>{"mode", "model.router.top_k", "train.seed", "train.width.sampler"});
  REQUIRE(recipe.training.size() == 9);
  CHECK(labels(recipe) ==
        std::vector<std::string>{
            "mode=moe,model.router.top_k=1,train.seed=1", "mode=moe,model.router.top_k=1,train.seed=2",
            "mode=moe,model.router.top_k=2,train.seed=1", "mode=moe,model.router.top_k=2,train.seed=2",
            "mode=mose,model.router.top_k=1,train.seed=1", "mode=mose,model.router.top_k=1,train.seed=2",
            "mode=mose,model.router.top_k=2,train.seed=1", "mode=mose,model.router.top_k=2,train.seed=2",
            "mode=mose,train.width.sampler=all"});
  for (const TrainingTrialSpec& trial : recipe.training) {
    CHECK(trial.config.model.n_experts == 4);  // this file over base.toml
    CHECK(trial.config.model.d_model == 64);   // from base.toml
    CHECK(trial.config.data.cache_dir == "cache/gcide-byte");
  }
  REQUIRE(recipe.evaluation.size() == 9 * 4);
  const std::vector<double> widths{0.25, 0.5, 0.75, 1.0};
  for (std::size_t i = 0; i < recipe.evaluation.size(); ++i) {
    const EvalTrialSpec& eval = recipe.evaluation[i];
    CHECK(eval.training_index == i / 4);
    CHECK(eval.policy.name == "uniform");
    CHECK(eval.policy.width == widths[i % 4]);
    CHECK(eval.config_json == R"({"eval":{"batch_size":16,"tokens":16384},"policy":{"name":"uniform","width":)" +
                                  fmt::format("{}", widths[i % 4]) + R"(},"training":")" +
                                  recipe.training[i / 4].config_hash + "\"}");
  }
  CHECK(recipe.evaluation[1].label == "policy=uniform,width=0.5");
}

TEST_CASE("threshold and ttt policies give one evaluation trial per budget", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[[policy]]
name = "threshold"
budgets = [0.5, 0.75]
[[policy]]
name = "ttt"
budgets = [0.25]
)");
  REQUIRE(recipe.training.size() == 1);
  REQUIRE(recipe.evaluation.size() == 4);  // and the full-width one
  const std::vector<std::string> names{"threshold", "threshold", "ttt"};
  const std::vector<double> budgets{0.5, 0.75, 0.25};
  for (std::size_t i = 0; i < 3; ++i) {
    const EvalTrialSpec& eval = recipe.evaluation[i];
    INFO(eval.label << " " << eval.config_json);
    CHECK(eval.policy.name == names[i]);
    CHECK(eval.policy.budget == budgets[i]);
    CHECK_THAT(eval.config_json, Catch::Contains(fmt::format(R"("budget":{})", budgets[i])));
    CHECK_THAT(eval.config_json, Catch::Contains(R"("name":")" + names[i] + "\""));
    CHECK(eval.policy.target_budget() == budgets[i]);
  }
  CHECK_THAT(recipe.evaluation[2].config_json, Catch::Contains(R"("gamma":"fit")"));
  CHECK_THROWS_AS(load_text("[[policy]]\nname = \"ttt\"\nbudgets = [1.5]\n"), RecipeError);
}

TEST_CASE("layer_budget policies expand per budget and are validated like the engine does", "[study][recipe]") {
  const Recipe recipe = load_text("[[policy]]\nname = \"layer_budget\"\nbudgets = [0.5, 0.25]\n");
  REQUIRE(recipe.evaluation.size() == 3);  // and the full-width one
  CHECK(recipe.evaluation[0].policy.name == "layer_budget");
  CHECK(recipe.evaluation[1].policy.budget == 0.25);
  // The grid is the trained widths (the default W here).
  CHECK(recipe.evaluation[0].label == "policy=layer_budget,budget=0.5,grid=[0.25,0.5,0.75,1]");
  // In (0, 1] but below the grid: WidthPolicySpec::validate rejects it at load time.
  CHECK_THROWS_WITH(load_text("[[policy]]\nname = \"layer_budget\"\nbudgets = [0.1]\n"),
                    Catch::Contains("policy.budget = 0.1: expected a budget in [0.125, 1]"));
}

TEST_CASE("eval.tasks names task files and enters the evaluation trials' identity only when set", "[study][recipe]") {
  const Recipe plain = load_text("");
  CHECK(plain.training[0].config.eval.tasks.empty());
  CHECK_THAT(plain.evaluation[0].config_json, !Catch::Contains("tasks"));
  const Recipe recipe = load_text("[eval]\ntasks = [\"tasks/wordnet-gloss.jsonl\", \"tasks/gcide-lastword.txt\"]\n");
  const auto& tasks = recipe.training[0].config.eval.tasks;
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[1] == "tasks/gcide-lastword.txt");
  // Adding tasks to a study adds evaluation trials and retrains nothing.
  CHECK(recipe.training[0].config_hash == plain.training[0].config_hash);
  CHECK_THAT(recipe.training[0].config_json, !Catch::Contains("tasks"));
  CHECK_THAT(recipe.evaluation[0].config_json,
             Catch::Contains(R"("tasks":["tasks/wordnet-gloss.jsonl","tasks/gcide-lastword.txt"])"));
  CHECK(recipe.evaluation[0].config_hash != plain.evaluation[0].config_hash);
  CHECK(recipe.evaluation[0].label == plain.evaluation[0].label);
  CHECK_THROWS_WITH(load_text("[eval]\ntasks = [\"tasks/x.csv\"]\n"),
                    Catch::Contains("eval.tasks = tasks/x.csv: expected a .jsonl"));
}

TEST_CASE("Includes merge deeply, in order, and the including file wins", "[study][recipe]") {
  testing::ScratchDir dir("recipe_include");
  std::filesystem::create_directories(dir.path() / "shared");
  write(dir, "shared/model.toml", R"(
[model]
n_layer = 3
d_model = 96
[modes.a]
"train.steps" = 11
[sweep]
"train.seed" = [1, 2]
"model.n_head" = [2, 4]
[[policy]]
name = "uniform"
widths = [0.5]
)");
  write(dir, "shared/train.toml", R"(
include = ["model.toml"]      # relative to shared/
[model]
n_layer = 5
[train]
steps = 50
)");
  const auto path = write(dir, "study.toml", R"(include = ["shared/train.toml"]
)" + std::string(kHeader) + R"(
[model]
d_model = 128
[modes.a]
"train.batch_size" = 4
[modes.b]
[sweep]
"train.seed" = [3]
[[policy]]
name = "uniform"
widths = [1.0]
)");
  const Recipe recipe = load_recipe(path);
  CHECK(recipe.files ==
        std::vector<std::filesystem::path>{path, dir.path() / "shared/train.toml", dir.path() / "shared/model.toml"});
  // Axes keep the included order; this file replaced the seed values.
  CHECK(recipe.axis_names == std::vector<std::string>{"mode", "train.seed", "model.n_head"});
  REQUIRE(labels(recipe) ==
          std::vector<std::string>{"mode=a,train.seed=3,model.n_head=2", "mode=a,train.seed=3,model.n_head=4",
                                   "mode=b,train.seed=3,model.n_head=2", "mode=b,train.seed=3,model.n_head=4"});
  const core::spec::RunConfig& a = recipe.training[0].config;
  CHECK(a.model.n_layer == 5);     // train.toml over model.toml
  CHECK(a.model.d_model == 128);   // study.toml over model.toml
  CHECK(a.train.steps == 11);      // mode a's own key survives the merge ...
  CHECK(a.train.batch_size == 4);  // ... next to the one study.toml added
  CHECK(recipe.training[2].config.train.steps == 50);
  // [[policy]] is an array: study.toml's replaces the included one.
  REQUIRE(recipe.evaluation.size() == 4);
  CHECK(recipe.evaluation[0].policy.width == 1.0);
}

TEST_CASE("A file included along two paths is merged once, where first reached", "[study][recipe]") {
  testing::ScratchDir dir("recipe_diamond");
  write(dir, "common.toml", "[model]\nn_layer = 2\nd_model = 64\n");
  write(dir, "deep.toml", "include = [\"common.toml\"]\n[model]\nn_layer = 6\n");
  write(dir, "wide.toml", "include = [\"common.toml\"]\n[model]\nd_model = 256\n");
  const auto path = write(dir, "r.toml", "include = [\"deep.toml\", \"wide.toml\"]\n" + std::string(kHeader));
  const Recipe recipe = load_recipe(path);
  CHECK(recipe.files == std::vector<std::filesystem::path>{path, dir.path() / "deep.toml", dir.path() / "common.toml",
                                                           dir.path() / "wide.toml"});
  // Merging common.toml again under wide.toml would have reset n_layer to 2.
  CHECK(recipe.training[0].config.model.n_layer == 6);
  CHECK(recipe.training[0].config.model.d_model == 256);
}

TEST_CASE("Every policy applies to every training trial, in file order", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[sweep]
"train.seed" = [1, 2]
[[policy]]
name = "uniform"
widths = [1, 0.5]
[[policy]]
name = "uniform"
widths = [0.25]
)");
  REQUIRE(recipe.evaluation.size() == 6);
  std::vector<std::pair<std::size_t, std::string>> seen;
  for (const EvalTrialSpec& eval : recipe.evaluation) seen.emplace_back(eval.training_index, eval.label);
  CHECK(seen == std::vector<std::pair<std::size_t, std::string>>{{0, "policy=uniform,width=1"},
                                                                 {0, "policy=uniform,width=0.5"},
                                                                 {0, "policy=uniform,width=0.25"},
                                                                 {1, "policy=uniform,width=1"},
                                                                 {1, "policy=uniform,width=0.5"},
                                                                 {1, "policy=uniform,width=0.25"}});
  // Same policy, different training trial: a different evaluation trial.
  CHECK(recipe.evaluation[0].config_hash != recipe.evaluation[3].config_hash);
}

TEST_CASE("uniform_k crosses widths with inference k for random_k models", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[model.router]
type = "random_k"
[[policy]]
name = "uniform_k"
widths = [1, 0.5]
k = [1, 3]
)");
  REQUIRE(recipe.evaluation.size() == 5);
  std::vector<std::string> labels;
  for (const EvalTrialSpec& eval : recipe.evaluation) labels.push_back(eval.label);
  CHECK(labels == std::vector<std::string>{"policy=uniform_k,width=1,k=1", "policy=uniform_k,width=0.5,k=1",
                                           "policy=uniform_k,width=1,k=3", "policy=uniform_k,width=0.5,k=3",
                                           "policy=uniform,width=1"});
  CHECK(recipe.evaluation[0].policy.experts_per_token == 1);
  CHECK(recipe.evaluation[2].policy.experts_per_token == 3);
  CHECK(recipe.evaluation[0].config_hash != recipe.evaluation[2].config_hash);
  CHECK_THROWS_WITH(load_text("[[policy]]\nname = \"uniform_k\"\nwidths = [1]\nk = [1.5]\n"),
                    Catch::Contains("whole numbers of experts per token"));
  // Beyond what an int holds the old whole-number test was undefined behaviour.
  for (const char* k : {"5000", "1e300", "inf"}) {
    INFO(k);
    CHECK_THROWS_WITH(load_text(fmt::format("[[policy]]\nname = \"uniform_k\"\nwidths = [1]\nk = [{}]\n", k)),
                      Catch::Contains("whole numbers of experts per token, 1 to 4096"));
  }
}

}  // namespace mose::study::recipe

namespace mose::study::recipe {
namespace {

Recipe load_seeded(int seeds, const std::string& body) {
  testing::ScratchDir dir("recipe");
  return load_recipe(write(
      dir, "r.toml", fmt::format("[study]\nname = \"t\"\nseeds = {}\n[data]\ncache_dir = \"cache\"\n{}", seeds, body)));
}

}  // namespace

TEST_CASE("[study] seeds trains every configuration once per seed, the first being the configuration itself",
          "[study][recipe]") {
  const std::string body = "[train]\nseed = 7\n[modes.a]\n\"train.steps\" = 11\n[modes.b]\n\"train.steps\" = 12\n";
  const Recipe one = load_text(body);
  const Recipe three = load_seeded(3, body);
  REQUIRE(three.seeds == 3);
  REQUIRE(three.training.size() == 6);
  CHECK(three.axis_names == std::vector<std::string>{"mode", "train.seed"});
  const std::vector<std::string> expected{"mode=a,train.seed=7", "mode=a,train.seed=8", "mode=a,train.seed=9",
                                          "mode=b,train.seed=7", "mode=b,train.seed=8", "mode=b,train.seed=9"};
  CHECK(labels(three) == expected);
  CHECK(three.training[4].config.train.seed == 8);
  CHECK(three.training[4].config.train.steps == 12);
  CHECK(three.training[4].axes.back() == std::pair<std::string, std::string>{"train.seed", "8"});
  // Raising seeds keeps the trials a study already holds and only adds the others.
  CHECK(three.training[0].config_hash == one.training[0].config_hash);
  CHECK(three.training[3].config_hash == one.training[1].config_hash);
  CHECK(three.training[1].config_hash != three.training[0].config_hash);
  // Each seed has its own evaluations (the implicit full-width one here).
  CHECK(three.evaluation.size() == 6);
}

TEST_CASE("[study] seeds and a seed set per trial are one source too many", "[study][recipe]") {
  CHECK_THROWS_WITH(load_seeded(2, "[sweep]\n\"train.seed\" = [1, 2]\n"),
                    Catch::Contains("sweep.train.seed: a train.seed axis in a study with [study] seeds"));
  CHECK_THROWS_WITH(load_seeded(2, "[[trial]]\n\"train.seed\" = 5\n"),
                    Catch::Contains("trial[0].train.seed: train.seed in a [[trial]]"));
  CHECK_THROWS_WITH(load_seeded(0, ""), Catch::Contains("study.seeds"));
  CHECK_THROWS_WITH(load_seeded(101, ""), Catch::Contains("study.seeds"));
  // 2500 configurations x 5 seeds > 10000 only with the seeds: the seeds are named.
  std::string axis = "[sweep]\n\"train.steps\" = [";
  for (int i = 1; i <= 2500; ++i) axis += std::to_string(i) + (i < 2500 ? ", " : "]\n");
  CHECK_THROWS_WITH(load_seeded(5, axis),
                    Catch::Contains("study.seeds: 12500 training trials ((2500 values of train.steps) x 5 seeds)"));
}

TEST_CASE("Evaluation settings apply to the whole study, never to one mode, axis or trial", "[study][recipe]") {
  CHECK_THROWS_WITH(load_text("[modes.a]\n\"eval.tokens\" = 512\n"),
                    Catch::Contains("eval.tokens is an evaluation setting, the same for every trial of a study"));
  CHECK_THROWS_WITH(load_text("[sweep]\n\"eval.batch_size\" = [4, 8]\n"),
                    Catch::Contains("eval.batch_size is an evaluation setting"));
  CHECK_THROWS_WITH(load_text("[[trial]]\n\"eval.tokens\" = 512\n"),
                    Catch::Contains("trial[0].eval.tokens: eval.tokens is an evaluation setting"));
}

TEST_CASE("Every model is evaluated at full width once", "[study][recipe]") {
  const Recipe none = load_text("");
  REQUIRE(none.evaluation.size() == 1);
  CHECK(none.evaluation[0].label == "policy=uniform,width=1");
  const Recipe listed = load_text("[[policy]]\nname = \"uniform\"\nwidths = [0.5, 1.0]\n");
  REQUIRE(listed.evaluation.size() == 2);  // the recipe's width 1.0 is the full-width one
  const Recipe other = load_text("[[policy]]\nname = \"uniform\"\nwidths = [0.5]\n");
  REQUIRE(other.evaluation.size() == 2);
  CHECK(other.evaluation[1].config_hash == listed.evaluation[1].config_hash);
}

TEST_CASE("Budgeted policies pick among a multi-width model's trained widths", "[study][recipe]") {
  const Recipe recipe = load_text(R"(
[modes.moe]
"train.width.widths" = [1.0]
[modes.mose]
"train.width.widths" = [0.25, 0.5, 1.0]
[[policy]]
name = "threshold"
budgets = [0.5]
)");
  REQUIRE(recipe.evaluation.size() == 4);  // threshold and the full-width one per model
  // A standard MoE keeps the policy's grid: cutting it is the baseline (flagged untrained).
  CHECK(recipe.evaluation[0].policy.grid == std::vector<double>{0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0});
  CHECK(recipe.evaluation[2].policy.grid == std::vector<double>{0.25, 0.5, 1.0});
  CHECK(recipe.evaluation[2].label == "policy=threshold,budget=0.5,grid=[0.25,0.5,1]");
  CHECK_THROWS_WITH(load_text("[train.width]\nwidths = [0.5, 1.0]\n[[policy]]\nname = \"ttt\"\nbudgets = [0.25]\n"),
                    Catch::Contains("policy[0]: for trial base, whose trained widths [0.5,1] are the policy's grid"));
}

}  // namespace mose::study::recipe

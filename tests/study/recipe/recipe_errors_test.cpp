// Bad recipes and the exact messages they produce: file:line:column, the key, what was
// wrong and what was expected.
#include "study/recipe/recipe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>

#include "base/errors.h"
#include "core/spec/settings.h"
#include "study/study_test_support.h"

namespace mose::study::recipe {
namespace {

struct BadRecipe {
  const char* what;
  std::map<std::string, std::string> files;  // name -> text; "r.toml" is loaded
  std::string message;                       // "{dir}" stands for the scratch folder
};

constexpr const char* kValid = "[study]\nname = \"t\"\n[data]\ncache_dir = \"c\"\n";  // lines 1-4
const std::string kStudyName =
    "a name of 1 to 128 letters, digits, '_', '.' or '-' that does not start with '.' (it names the study's "
    "folder)";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The message load_recipe throws for `bad`, with the scratch folder shown as "{dir}".
std::string error_of(const BadRecipe& bad) {
  testing::ScratchDir dir("recipe_errors");
  for (const auto& [name, text] : bad.files) std::ofstream(dir.path() / name) << text;
  try {
    load_recipe(dir.path() / "r.toml");
  } catch (const RecipeError& error) {
    return replace_all(error.what(), dir.path().string(), "{dir}");
  }
  return "(no error)";
}

BadRecipe one(const char* what, const std::string& text, std::string message) {
  return BadRecipe{what, {{"r.toml", text}}, std::move(message)};
}

}  // namespace

TEST_CASE("Bad recipes are reported with position, key and expectation", "[study][recipe]") {
  const std::string v = kValid;
  const std::vector<BadRecipe> cases{
      one("unknown top-level table", v + "[stduy]\nx = 1\n",
          "{dir}/r.toml:5:2: stduy: unknown key; expected a known key such as study"),
      one("unknown top-level key without a close match", "colour = 1\n" + v,
          "{dir}/r.toml:1:1: colour: unknown key; expected one of include, study, data, model, train, eval, modes, "
          "sweep, trial, policy"),
      one("misspelt table name with a known key below it", v + "[modle]\nn_layer = 2\n",
          "{dir}/r.toml:6:1: modle.n_layer: unknown key; expected a known key such as model.n_layer"),
      one("unknown nested key", v + "[model]\nn_layers = 4\n",
          "{dir}/r.toml:6:1: model.n_layers: unknown key; expected a known key such as model.n_layer"),
      one("unknown key in a nested table, no close match", v + "[model.router]\ncolour = 1\n",
          "{dir}/r.toml:6:1: model.router.colour: unknown key; expected one of " +
              fmt::format("{}", fmt::join(core::spec::setting_names("model.router."), ", "))),
      one("key in the wrong table", v + "[model]\ntop_k = 1\n",
          "{dir}/r.toml:6:1: model.top_k: unknown key; expected a known key such as model.router.top_k"),
      one("unknown dotted key in a sweep", v + "[sweep]\n\"model.router.topk\" = [1, 2]\n",
          "{dir}/r.toml:6:1: sweep.model.router.topk: unknown key; expected a known key such as model.router.top_k"),
      one("unknown dotted key in a mode", v + "[modes.m]\n\"train.stepz\" = 1\n",
          "{dir}/r.toml:6:1: modes.m.train.stepz: unknown key; expected a known key such as train.steps"),
      one("float for an integer", v + "[model]\nn_layer = 2.5\n",
          "{dir}/r.toml:6:11: model.n_layer: got 2.5 (a float); expected an integer"),
      one("string for an integer", v + "[model]\nn_layer = \"2\"\n",
          "{dir}/r.toml:6:11: model.n_layer: got \"2\" (a string); expected an integer"),
      one("integer beyond the field", v + "[model]\nn_layer = 3000000000\n",
          "{dir}/r.toml:6:11: model.n_layer: got 3000000000 (an integer); expected an integer in "
          "[-2147483648, 2147483647]"),
      one("absurdly many layers", v + "[model]\nn_layer = 1000000000\n",
          "{dir}/r.toml: trial base: model.n_layer = 1000000000: expected 1 to 1024"),
      one("negative seed", v + "[train]\nseed = -1\n",
          "{dir}/r.toml:6:8: train.seed: got -1 (an integer); expected a non-negative integer"),
      one("string for a boolean", v + "[train]\nbf16_autocast = \"yes\"\n",
          "{dir}/r.toml:6:17: train.bf16_autocast: got \"yes\" (a string); expected a boolean (true or false)"),
      one("string in a float list", v + "[train.width]\nwidths = [0.5, \"1\"]\n",
          "{dir}/r.toml:6:16: train.width.widths: got \"1\" (a string); expected every element to be a number"),
      one("wrong type in a sweep value", v + "[sweep]\n\"train.steps\" = [10, 2.5]\n",
          "{dir}/r.toml:6:22: sweep.train.steps: got 2.5 (a float); expected an integer"),
      one("sweep of a list key given a flat list", v + "[sweep]\n\"train.width.widths\" = [0.5, 1.0]\n",
          "{dir}/r.toml:6:25: sweep.train.width.widths: got 0.5 (a float); expected an array of numbers (each "
          "value of this axis is a whole list)"),
      one("sweep axis that is not an array", v + "[sweep]\n\"train.seed\" = 3\n",
          "{dir}/r.toml:6:16: sweep.train.seed: got 3 (an integer); expected an array of values, one per trial, "
          "each an integer"),
      one("empty sweep axis", v + "[sweep]\n\"train.seed\" = []\n",
          "{dir}/r.toml:6:16: sweep.train.seed: empty axis; expected at least one value, each an integer"),
      one("mode as a sweep key", v + "[sweep]\nmode = [\"a\"]\n",
          "{dir}/r.toml:6:1: sweep.mode: mode is not a [sweep] key (every [modes.*] table is already an axis); "
          "expected an engine key"),
      one("value out of range, caught by the engine",
          v + "[model]\nn_experts = 4\n[sweep]\n\"model.router.top_k\" = [2, 9]\n",
          "{dir}/r.toml: trial model.router.top_k=9: model.router.top_k = 9: expected between 1 and "
          "model.n_experts"),
      one("impossible combination in an explicit trial",
          v + "[modes.m]\n\"model.n_experts\" = 2\n"
              "[[trial]]\nmode = \"m\"\n\"model.router.top_k\" = 3\n",
          "{dir}/r.toml:7:1: trial mode=m,model.router.top_k=3: model.router.top_k = 3: expected between 1 and "
          "model.n_experts"),
      one("unknown mode in a trial", v + "[modes.moe]\n[modes.mose]\n[[trial]]\nmode = \"mosee\"\n",
          "{dir}/r.toml:8:8: trial[0].mode: unknown mode 'mosee'; expected one of moe, mose"),
      one("mode in a trial without modes", v + "[[trial]]\nmode = \"moe\"\n",
          "{dir}/r.toml:6:8: trial[0].mode: unknown mode 'moe'; expected no mode: this recipe defines no "
          "[modes.*] tables"),
      one("invalid mode name", v + "[modes.\"a b\"]\n",
          "{dir}/r.toml:5:8: modes.a b: invalid mode name 'a b'; expected a name of letters, digits, '_' or '-'"),
      one("trial written as a table", v + "[trial]\nmode = \"x\"\n",
          "{dir}/r.toml:5:2: trial: got a table; expected an array of tables ([[trial]])"),
      one("unknown policy", v + "[[policy]]\nname = \"thresh\"\n",
          "{dir}/r.toml:6:8: policy[0].name: unknown width policy 'thresh'; expected one of layer_budget, threshold, "
          "ttt, uniform, uniform_k"),
      one("policy without a name", v + "[[policy]]\nwidths = [1.0]\n",
          "{dir}/r.toml:5:1: policy[0].name: missing; expected one of layer_budget, threshold, ttt, uniform, "
          "uniform_k"),
      one("unknown policy parameter", v + "[[policy]]\nname = \"uniform\"\nwidth = [1.0]\n",
          "{dir}/r.toml:7:1: policy[0].width: unknown key; expected a known key such as widths"),
      one("missing policy parameter", v + "[[policy]]\nname = \"uniform\"\n",
          "{dir}/r.toml:5:1: policy[0].widths: missing for policy 'uniform'; expected a non-empty array of "
          "widths in (0, 1]"),
      one("policy width out of range", v + "[[policy]]\nname = \"uniform\"\nwidths = [0.5, 1.5]\n",
          "{dir}/r.toml:7:16: policy[0].widths: got 1.5 (a float); expected a non-empty array of widths in (0, 1]"),
      one("empty policy widths", v + "[[policy]]\nname = \"uniform\"\nwidths = []\n",
          "{dir}/r.toml:7:10: policy[0].widths: got [] (an array); expected a non-empty array of widths in (0, 1]"),
      one("repeated policy",
          v + "[[policy]]\nname = \"uniform\"\nwidths = [0.5]\n[[policy]]\nname = \"uniform\"\n"
              "widths = [1.0, 0.5]\n",
          "{dir}/r.toml:8:1: policy[1]: policy=uniform,width=0.5 repeats one from policy[0] ({dir}/r.toml:5:1); "
          "expected distinct evaluation policies"),
      one("missing study name", "[data]\ncache_dir = \"c\"\n",
          "{dir}/r.toml: study.name: missing; expected a [study] table with name = \"...\" (letters, digits, '_', "
          "'.' or '-')"),
      one("invalid study name", "[study]\nname = \"my study\"\n",
          "{dir}/r.toml:2:8: study.name: got \"my study\" (a string); expected " + kStudyName),
      // out/<name> is the study folder: "." and ".." would put it in or above out/.
      one("study name '.'", "[study]\nname = \".\"\n",
          "{dir}/r.toml:2:8: study.name: got \".\" (a string); expected " + kStudyName),
      one("study name '..'", "[study]\nname = \"..\"\n",
          "{dir}/r.toml:2:8: study.name: got \"..\" (a string); expected " + kStudyName),
      one("study name starting with '.'", "[study]\nname = \".hidden\"\n",
          "{dir}/r.toml:2:8: study.name: got \".hidden\" (a string); expected " + kStudyName),
      one("study name too long for a folder", "[study]\nname = \"" + std::string(5000, 'a') + "\"\n",
          "{dir}/r.toml:2:8: study.name: got \"" + std::string(45, 'a') + "...\" (a string); expected " + kStudyName),
      one("TOML syntax error", v + "[model\nn_layer = 2\n",
          "{dir}/r.toml:5:7: TOML syntax: Error while parsing table header: expected ']', saw '\\n'; expected "
          "valid TOML (toml.io v1.0)"),
      one("include that is not an array", "include = \"base.toml\"\n" + v,
          "{dir}/r.toml:1:11: include: got \"base.toml\" (a string); expected an array of recipe file paths, "
          "relative to this file"),
      one("missing include", "include = [\"missing.toml\"]\n" + v,
          "{dir}/r.toml:1:12: include: cannot read '{dir}/missing.toml' (no such file); expected an existing "
          "recipe file (a path relative to the including file)"),
      BadRecipe{"include cycle",
                {{"r.toml", "include = [\"a.toml\"]\n" + v},
                 {"a.toml", "include = [\"b.toml\"]\n"},
                 {"b.toml", "# b\ninclude = [\"a.toml\"]\n"}},
                "{dir}/b.toml:2:12: include: include cycle {dir}/a.toml -> {dir}/b.toml -> {dir}/a.toml; expected "
                "includes that form no cycle"},
      BadRecipe{"error in an included file names that file",
                {{"r.toml", "include = [\"base.toml\"]\n" + v}, {"base.toml", "\n[model]\nd_model = true\n"}},
                "{dir}/base.toml:3:11: model.d_model: got true (a boolean); expected an integer"},
  };
  for (const BadRecipe& bad : cases) {
    INFO(bad.what);
    CHECK(error_of(bad) == bad.message);
  }
}

TEST_CASE("Unknown [study] keys are reported with the known ones", "[study][recipe]") {
  const BadRecipe bad{"", {{"r.toml", "[study]\nname = \"t\"\ntitle = \"x\"\n[data]\ncache_dir = \"c\"\n"}}, ""};
  CHECK(error_of(bad) ==
        "{dir}/r.toml:3:1: study.title: unknown key; expected one of study.name, study.description, study.seeds");
}

TEST_CASE("A setting written twice in one file, in any two spellings, names both places", "[study][recipe]") {
  const std::string v = kValid;
  const std::string expected =
      "; expected each setting once per file (\"a.b\" = ..., a.b = ... and [a] b = ... are the same setting)";
  const std::vector<BadRecipe> cases{
      one("a quoted dotted key and a table key", "\"model.n_layer\" = 4\n" + v + "[model]\nn_layer = 5\n",
          "{dir}/r.toml:7:1: model.n_layer: written twice (also at {dir}/r.toml:1:1)" + expected),
      one("a quoted dotted key inside a table and a nested table",
          v + "[model]\n\"router.top_k\" = 1\n[model.router]\ntop_k = 2\n",
          "{dir}/r.toml:8:1: model.router.top_k: written twice (also at {dir}/r.toml:6:1)" + expected),
      one("quoted and bare", "\"model.n_layer\" = 4\nmodel.n_layer = 5\n" + v,
          "{dir}/r.toml:2:7: model.n_layer: written twice (also at {dir}/r.toml:1:1)" + expected),
      one("a sweep axis twice", v + "[sweep]\n\"train.seed\" = [1, 2]\ntrain.seed = [3]\n",
          "{dir}/r.toml:7:7: sweep.train.seed: written twice (also at {dir}/r.toml:6:1)" + expected),
      one("a mode's override twice", v + "[modes.m]\n\"train.steps\" = 1\n[modes.m.train]\nsteps = 2\n",
          "{dir}/r.toml:8:1: modes.m.train.steps: written twice (also at {dir}/r.toml:6:1)" + expected),
      one("a trial's override twice", v + "[[trial]]\n\"train.seed\" = 1\ntrain.seed = 2\n",
          "{dir}/r.toml:7:7: trial[0].train.seed: written twice (also at {dir}/r.toml:6:1)" + expected),
      BadRecipe{
          "in an included file",
          {{"r.toml", "include = [\"base.toml\"]\n" + v}, {"base.toml", "\"train.steps\" = 4\n[train]\nsteps = 3\n"}},
          "{dir}/base.toml:3:1: train.steps: written twice (also at {dir}/base.toml:1:1)" + expected},
  };
  for (const BadRecipe& bad : cases) {
    INFO(bad.what);
    CHECK(error_of(bad) == bad.message);
  }
  // Across files a later file replaces a setting: that is what includes are for.
  const BadRecipe across{
      "",
      {{"r.toml", "include = [\"base.toml\"]\n\"train.steps\" = 5\n" + v}, {"base.toml", "[train]\nsteps = 3\n"}},
      ""};
  CHECK(error_of(across) == "(no error)");
}

// "[a, b, ...]": `count` integers from `first`.
std::string integers(int count, int first = 1) {
  std::vector<int> values(count);
  for (int i = 0; i < count; ++i) values[i] = first + i;
  return fmt::format("[{}]", fmt::join(values, ", "));
}

// "[0.125, 0.1328125, ...]": `count` distinct budgets from 0.125 (the default grid's least).
std::string repeated(const std::string& text, int count) {
  std::string all;
  for (int i = 0; i < count; ++i) all += text;
  return all;
}

std::string budgets(int count) {
  std::vector<double> values(count);
  for (int i = 0; i < count; ++i) values[i] = 0.125 + i / 128.0;
  return fmt::format("[{}]", fmt::join(values, ", "));
}

TEST_CASE("Recipes of more than 10000 training or 100000 evaluation trials are refused", "[study][recipe]") {
  const std::string v = kValid;
  const std::string training_limit = "; expected at most 10000 training trials per recipe";
  const std::vector<BadRecipe> cases{
      one("one long axis", v + "[sweep]\n\"train.seed\" = " + integers(100'000) + "\n",
          "{dir}/r.toml:6:1: sweep.train.seed: 100000 training trials (100000 values of train.seed)" + training_limit),
      one("modes times axes",
          v + "[modes.a]\n[modes.b]\n[sweep]\n\"train.steps\" = " + integers(2) +
              "\n\"train.seed\" = " + integers(2501) + "\n",
          "{dir}/r.toml:9:1: sweep.train.seed: 10004 training trials (2 modes x 2 values of train.steps x 2501 values "
          "of train.seed)" +
              training_limit),
      one("explicit trials on top of the grid",
          v + "[sweep]\n\"train.seed\" = " + integers(10'000) + "\n[[trial]]\n\"train.steps\" = 7\n",
          "{dir}/r.toml:6:1: sweep.train.seed: 10001 training trials (10000 values of train.seed + 1 [[trial]])" +
              training_limit),
      // No axis: the base trial (or each mode) comes before the [[trial]] tables, so the
      // first trial past the limit is trial[9999] (trial[9998] with two modes).
      one("explicit trials only", v + repeated("[[trial]]\n\"train.steps\" = 7\n", 10'000),
          "{dir}/r.toml:20003:1: trial[9999]: 10001 training trials (10000 [[trial]])" + training_limit),
      one("modes and explicit trials", v + "[modes.a]\n[modes.b]\n" + repeated("[[trial]]\n", 9'999),
          "{dir}/r.toml:10005:1: trial[9998]: 10001 training trials (2 modes + 9999 [[trial]])" + training_limit),
      one("many policies",
          v + "[sweep]\n\"train.seed\" = " + integers(1000) +
              "\n[[policy]]\nname = \"uniform\"\nwidths = [1.0]\n[[policy]]\nname = \"threshold\"\n"
              "budgets = " +
              budgets(101) + "\n",
          "{dir}/r.toml:10:1: policy[1]: 102000 evaluation trials (102 policies x 1000 training trials); expected at "
          "most 100000 evaluation trials per recipe"),
  };
  for (const BadRecipe& bad : cases) {
    INFO(bad.what);
    CHECK(error_of(bad) == bad.message);
  }
  const BadRecipe at_the_limit{"", {{"r.toml", v + "[sweep]\n\"train.seed\" = " + integers(10'000) + "\n"}}, ""};
  CHECK(error_of(at_the_limit) == "(no error)");
}

TEST_CASE("Study names of up to 128 characters with inner dots are accepted", "[study][recipe]") {
  for (const std::string& name : {std::string("v1.2-final_run"), std::string("a.."), std::string(128, 'n')}) {
    INFO(name);
    const BadRecipe good{"", {{"r.toml", "[study]\nname = \"" + name + "\"\n[data]\ncache_dir = \"c\"\n"}}, ""};
    CHECK(error_of(good) == "(no error)");
  }
  const BadRecipe too_long{"", {{"r.toml", "[study]\nname = \"" + std::string(129, 'n') + "\"\n"}}, ""};
  CHECK_THAT(error_of(too_long), Catch::Matchers::StartsWith("{dir}/r.toml:2:8: study.name: got \"nnn"));
}

TEST_CASE("A missing recipe file is reported by path", "[study][recipe]") {
  CHECK_THROWS_WITH(load_recipe("/nonexistent/r.toml"),
                    "/nonexistent/r.toml: recipe: cannot read '/nonexistent/r.toml' (no such file); expected a "
                    "readable TOML file");
}

TEST_CASE("Duplicate training trials are reported naming both", "[study][recipe]") {
  // The sweep sets the widths the modes differ by, so both modes give the same model.
  const BadRecipe bad{"",
                      {{"r.toml", std::string(kValid) + "[modes.moe]\n\"train.width.widths\" = [1.0]\n"
                                                        "[modes.mose]\n\"train.width.widths\" = [0.5, 1.0]\n"
                                                        "[sweep]\n\"train.width.widths\" = [[1.0]]\n"}},
                      ""};
  using Catch::Matchers::EndsWith;
  using Catch::Matchers::StartsWith;
  const std::string message = error_of(bad);
  CHECK_THAT(message, StartsWith("{dir}/r.toml: trial mode=mose,train.width.widths=[1]: same configuration as "
                                 "trial mode=moe,train.width.widths=[1] (hash "));
  CHECK_THAT(message, EndsWith("); expected distinct training trials (a [sweep] or [[trial]] value may repeat "
                               "what a mode or the base already sets)"));

  const BadRecipe explicit_copy{
      "", {{"r.toml", std::string(kValid) + "[sweep]\n\"train.seed\" = [1, 2]\n[[trial]]\n\"train.seed\" = 2\n"}}, ""};
  CHECK_THAT(error_of(explicit_copy),
             StartsWith("{dir}/r.toml: trial train.seed=2: same configuration as trial train.seed=2 (hash "));
}

}  // namespace mose::study::recipe

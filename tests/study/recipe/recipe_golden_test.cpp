// Trial identity must survive refactoring: every training and evaluation trial of the
// shipped recipes and the test fixtures keeps the config hash (and every training trial
// the training fingerprint its checkpoint is tied to) recorded in
// tests/study/recipe/recipes/golden_hashes.tsv. That file was written before the settings table and the
// extension-point registries replaced the hand-written listings; a difference here
// means stored studies would retrain their trials or reject their checkpoints.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/spec/settings.h"
#include "study/recipe/recipe.h"

namespace mose::study::recipe {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(MOSE_SOURCE_DIR);

// One line per trial: "<recipe>\t<kind>\t<label>\t<config hash>\t<fingerprint | ->".
std::vector<std::string> identity_lines(const fs::path& relative) {
  const Recipe recipe = load_recipe(kSource / relative);
  std::vector<std::string> lines;
  for (const TrainingTrialSpec& trial : recipe.training) {
    lines.push_back(fmt::format("{}\ttraining\t{}\t{}\t{}", relative.string(), trial.label, trial.config_hash,
                                core::spec::training_fingerprint(trial.config)));
  }
  for (const EvalTrialSpec& trial : recipe.evaluation) {
    lines.push_back(fmt::format("{}\tevaluation\t{} of {}\t{}\t-", relative.string(), trial.label,
                                recipe.training[trial.training_index].label, trial.config_hash));
  }
  return lines;
}

std::map<std::string, std::vector<std::string>> golden_lines() {
  std::ifstream in(kSource / "tests/study/recipe/recipes/golden_hashes.tsv");
  REQUIRE(in.good());
  std::map<std::string, std::vector<std::string>> by_recipe;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    by_recipe[line.substr(0, line.find('\t'))].push_back(line);
  }
  return by_recipe;
}

const std::vector<std::string> kRecipes = {
    "recipes/quickstart.toml",
    "recipes/routing-regimes.toml",
    "recipes/policies.toml",
    "recipes/paper-gpt-small.toml",
    "tests/study/recipe/recipes/pinned.toml",
    "tests/study/recipe/recipes/readme_example.toml",
    "tests/study/recipe/recipes/golden_settings.toml",
};

}  // namespace

TEST_CASE("Shipped recipes keep their trial hashes and training fingerprints", "[study][recipe]") {
  const auto golden = golden_lines();
  for (const std::string& recipe : kRecipes) {
    INFO(recipe);
    REQUIRE(golden.count(recipe) == 1);
    const std::vector<std::string> actual = identity_lines(recipe);
    REQUIRE(actual.size() == golden.at(recipe).size());
    for (std::size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == golden.at(recipe)[i]);
  }
}

}  // namespace mose::study::recipe

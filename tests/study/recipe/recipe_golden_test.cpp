// Trial identity must survive refactoring: every training and evaluation trial of the
// shipped recipes and the test fixtures keeps the config hash (and every training trial
// the training fingerprint its checkpoint is tied to) recorded in
// tests/study/recipe/recipes/golden_hashes.tsv; a difference there means stored studies
// would retrain their trials or reject their checkpoints. Set MOSE_WRITE_GOLDEN=1 to
// rewrite the file after an intended change of identity, and say why in the commit.
//
// golden_hashes_v1.tsv holds the identities from before evaluation settings left the
// training identity (issue 16): each of those trials must still be found under its
// legacy hash, which is how a stored study is re-keyed without retraining.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdlib>
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

// One line per trial: "<recipe>\t<kind>\t<label>\t<config hash>\t<legacy hash>\t<fingerprint | ->".
std::vector<std::string> identity_lines(const fs::path& relative) {
  const Recipe recipe = load_recipe(kSource / relative);
  std::vector<std::string> lines;
  for (const TrainingTrialSpec& trial : recipe.training) {
    lines.push_back(fmt::format("{}\ttraining\t{}\t{}\t{}\t{}", relative.string(), trial.label, trial.config_hash,
                                trial.legacy_config_hash, core::spec::training_fingerprint(trial.config)));
  }
  for (const EvalTrialSpec& trial : recipe.evaluation) {
    lines.push_back(fmt::format("{}\tevaluation\t{} of {}\t{}\t{}\t-", relative.string(), trial.label,
                                recipe.training[trial.training_index].label, trial.config_hash,
                                trial.legacy_config_hash));
  }
  return lines;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  for (std::size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', begin)) {
    fields.push_back(line.substr(begin, tab - begin));
    begin = tab + 1;
  }
  fields.push_back(line.substr(begin));
  return fields;
}

std::map<std::string, std::vector<std::string>> golden_lines(const std::string& file) {
  std::ifstream in(kSource / "tests/study/recipe/recipes" / file);
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
  if (std::getenv("MOSE_WRITE_GOLDEN") != nullptr) {
    std::ofstream out(kSource / "tests/study/recipe/recipes/golden_hashes.tsv");
    out << "# recipe\tkind\tlabel\tconfig hash\tlegacy hash\ttraining fingerprint "
           "(see tests/study/recipe/recipe_golden_test.cpp)\n";
    for (const std::string& recipe : kRecipes) {
      for (const std::string& line : identity_lines(recipe)) out << line << "\n";
    }
  }
  const auto golden = golden_lines("golden_hashes.tsv");
  for (const std::string& recipe : kRecipes) {
    INFO(recipe);
    REQUIRE(golden.count(recipe) == 1);
    const std::vector<std::string> actual = identity_lines(recipe);
    REQUIRE(actual.size() == golden.at(recipe).size());
    for (std::size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == golden.at(recipe)[i]);
  }
}

// Joined by recipe, kind and label. A trial that is no longer the same trial has another
// label: budgeted policies of a model trained at several widths now pick among its
// trained widths (their label's grid), so those evaluations are new and run again.
TEST_CASE("Trials stored before evaluation left the training identity are found under their legacy hashes",
          "[study][recipe]") {
  const auto before = golden_lines("golden_hashes_v1.tsv");
  std::size_t found = 0, training_found = 0, training_before = 0;
  for (const std::string& recipe : kRecipes) {
    std::map<std::string, std::vector<std::string>> now;  // "kind\tlabel" -> fields
    for (const std::string& line : identity_lines(recipe)) {
      const std::vector<std::string> f = fields_of(line);
      now[f[1] + "\t" + f[2]] = f;
    }
    for (const std::string& line : before.at(recipe)) {
      const std::vector<std::string> old = fields_of(line);  // recipe, kind, label, hash, fingerprint
      INFO(line);
      training_before += old[1] == "training";
      const auto it = now.find(old[1] + "\t" + old[2]);
      if (it == now.end()) {
        CHECK(old[1] == "evaluation");
        CHECK(old[2].find(",grid=[0.125,0.25,0.375,0.5,0.625,0.75,0.875,1]") != std::string::npos);
        continue;
      }
      CHECK(it->second[4] == old[3]);  // the legacy hash is the stored one
      CHECK(it->second[5] == old[4]);  // the checkpoint's fingerprint is unchanged
      ++found;
      training_found += old[1] == "training";
    }
  }
  CHECK(training_found == training_before);  // no model is retrained
  CHECK(found > 200);
}

}  // namespace mose::study::recipe

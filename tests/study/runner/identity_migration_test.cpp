// Evaluation apart from training (issue 16): adding a task to a finished study adds
// evaluation trials and retrains nothing, a task whose choice is longer than the
// model's context is scored, and a study stored under the identities from before
// (evaluation settings in the training hash) resumes without retraining anything.
#include "study/runner/identity_migration.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "db/storage.h"
#include "study/analysis/metric_names.h"
#include "study/recipe/recipe_keys.h"
#include "study/runner/fault_injection.h"
#include "study/runner/runner.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::study::runner {
namespace {

using testing::ScratchDir;

recipe::Recipe tiny(const ScratchDir& dir, const std::string& eval_settings) {
  // tiny_recipe_text's body follows its [eval] table, so settings first, then the rest.
  return recipe::load_recipe(testing::write_recipe(
      dir.path(), testing::tiny_recipe_text("split", dir.path(), 10, eval_settings + "\n" + testing::kModesAndWidths)));
}

std::vector<db::TrialRecord> trials_of(db::Storage& storage, std::int64_t study) {
  return storage.list_trials({.study_id = study});
}

// The store and checkpoint names as mose wrote them before issue 16: every trial under
// its legacy hash with its legacy config text.
void make_legacy(db::Storage& storage, const RunReport& run) {
  std::vector<db::TrialRekey> back;
  for (const recipe::TrainingTrialSpec& spec : run.plan.recipe.training) {
    const std::string legacy = recipe::to_canonical_json(recipe::legacy_config_json(spec.config));
    back.push_back({spec.config_hash, spec.legacy_config_hash, legacy});
    for (const char* suffix : {".pt", ".pt.crc32"}) {
      std::filesystem::rename(run.plan.paths.checkpoints() / (spec.config_hash + suffix),
                              run.plan.paths.checkpoints() / (spec.legacy_config_hash + suffix));
    }
  }
  for (const recipe::EvalTrialSpec& spec : run.plan.recipe.evaluation) {
    back.push_back({spec.config_hash, spec.legacy_config_hash, "{\"legacy\":\"" + spec.label + "\"}"});
  }
  REQUIRE(storage.rekey_trials(run.plan.study.id, back).size() == back.size());
}

}  // namespace

TEST_CASE("adding a task to a finished study adds evaluation trials only and scores a choice longer than the context",
          "[study][runner]") {
  ScratchDir dir("add_task");
  const RunReport first = run_study(tiny(dir, ""), testing::options_in(dir));
  REQUIRE(first.exit_code() == 0);
  REQUIRE(first.counts.done == 8);  // 2 models, 3 widths each

  // Its second choice is 70 bytes, the model's context 32: scored in rolling pieces.
  const std::filesystem::path task = dir.path() / "long.jsonl";
  std::ofstream(task) << R"({"context": "The sky is", "choices": [" blue", ")" << std::string(70, 'x')
                      << R"("], "gold": 0})"
                      << "\n"
                      << R"({"context": "Grass is", "choices": [" green", " red"], "gold": 0})"
                      << "\n";
  const recipe::Recipe with_task = tiny(dir, "tasks = [\"" + task.string() + "\"]");
  REQUIRE(with_task.training[0].config_hash == first.plan.recipe.training[0].config_hash);
  const RunReport second = run_study(with_task, testing::options_in(dir));
  CHECK(second.exit_code() == 0);
  CHECK(second.plan.added == 6);  // the evaluations, measuring the task now; no model
  const auto storage = db::open_storage(second.plan.paths.storage_url);
  for (const std::int64_t id : second.plan.training_ids) CHECK(storage->get_trial(id)->attempts == 1);
  for (const std::int64_t id : second.plan.eval_ids) {
    const db::TrialRecord trial = *storage->get_trial(id);
    CHECK(trial.status == db::TrialStatus::kDone);
    bool scored = false;
    for (const db::MetricRecord& m : storage->get_metrics({id})) {
      scored |= m.name == analysis::task_metric("long", analysis::kTaskAcc);
    }
    CHECK(scored);
  }
}

TEST_CASE("a study stored under the identities from before issue 16 resumes without retraining", "[study][runner]") {
  ScratchDir dir("legacy_identity");
  const recipe::Recipe recipe = tiny(dir, "");
  const RunReport first = run_study(recipe, testing::options_in(dir));
  REQUIRE(first.exit_code() == 0);
  const auto storage = db::open_storage(first.plan.paths.storage_url);
  make_legacy(*storage, first);
  const std::vector<db::TrialRecord> legacy = trials_of(*storage, first.plan.study.id);
  REQUIRE(legacy.size() == 8);
  CHECK(legacy[0].config_hash == recipe.training[0].legacy_config_hash);
  // One evaluation to run again after the migration: it must find its model's checkpoint.
  REQUIRE(storage->reset_trial(first.plan.eval_ids[1]));

  SECTION("in one go") {}
  SECTION("after a try cut off between renaming the checkpoints and re-keying the store") {
    for (const recipe::TrainingTrialSpec& spec : recipe.training) {
      for (const char* suffix : {".pt", ".pt.crc32"}) {
        std::filesystem::rename(first.plan.paths.checkpoints() / (spec.legacy_config_hash + suffix),
                                first.plan.paths.checkpoints() / (spec.config_hash + suffix));
      }
    }
  }
  const RunReport resumed = run_study(recipe, testing::options_in(dir));
  CHECK(resumed.exit_code() == 0);
  CHECK(resumed.plan.added == 0);
  CHECK(resumed.counts.done == 8);
  const std::vector<db::TrialRecord> after = trials_of(*storage, first.plan.study.id);
  REQUIRE(after.size() == 8);
  for (std::size_t i = 0; i < after.size(); ++i) {
    INFO("trial " << after[i].id);
    CHECK(after[i].id == legacy[i].id);
    const bool rerun = after[i].id == first.plan.eval_ids[1];
    CHECK(after[i].attempts == (rerun ? 2 : 1));  // no model trained again
  }
  for (std::size_t t = 0; t < recipe.training.size(); ++t) {
    const recipe::TrainingTrialSpec& spec = recipe.training[t];
    CHECK(after[t].config_hash == spec.config_hash);
    CHECK(after[t].config == spec.config_json);
    CHECK(std::filesystem::exists(first.plan.paths.checkpoint(spec.config_hash)));
    CHECK_FALSE(std::filesystem::exists(first.plan.paths.checkpoint(spec.legacy_config_hash)));
    const std::vector<db::ArtifactRecord> artifacts = storage->get_artifacts(after[t].id);
    REQUIRE(artifacts.size() == 1);
    CHECK(artifacts[0].path == "checkpoints/" + spec.config_hash + ".pt");
  }
  // Re-keying again finds nothing to do.
  CHECK(migrate_trial_identities(*storage, first.plan.study.id, recipe, first.plan.paths) == 0);
}

}  // namespace mose::study::runner

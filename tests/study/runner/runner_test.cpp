// The runner end to end on tiny recipes, in this process: every trial runs once and
// records its results; a second run repeats nothing; a failing trial is recorded and
// the others go on; a stop request checkpoints and hands the trial back, and the next
// run resumes it.
#include "study/runner/runner.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "base/file_checksum.h"
#include "db/storage.h"
#include "study/analysis/analysis.h"
#include "study/analysis/analysis_frontiers.h"
#include "study/runner/stop_signal.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::study::runner {
namespace {

using testing::ScratchDir;

RunOptions options_in(const ScratchDir& dir) {
  RunOptions options;
  options.out = dir.path() / "out";
  return options;
}

std::map<std::string, double> metrics_of(db::Storage& storage, std::int64_t trial_id) {
  std::map<std::string, double> out;
  for (const db::MetricRecord& m : storage.get_metrics({trial_id})) out[m.name] = m.value;
  return out;
}

void check_training_results(db::Storage& storage, const db::TrialRecord& trial, const recipe::StudyPaths& paths) {
  const auto metrics = metrics_of(storage, trial.id);
  for (const char* name :
       {"train_loss", "steps", "tokens", "train_seconds", "parameters", "expert_parameters", "resumed_from_step"}) {
    INFO(name);
    CHECK(metrics.count(name) == 1);
  }
  // Evaluation is the evaluation trials' (issue 16): a training trial measures nothing
  // that depends on evaluation settings.
  CHECK(metrics.count("val_loss") == 0);
  CHECK(metrics.count("flops_per_token") == 0);
  CHECK(metrics.at("steps") == 12);
  CHECK(metrics.at("resumed_from_step") == 0);
  CHECK(metrics.at("expert_parameters") < metrics.at("parameters"));
  const auto artifacts = storage.get_artifacts(trial.id);
  REQUIRE(artifacts.size() == 1);
  const FileDigest digest = file_crc32(paths.out / artifacts[0].path);
  CHECK(artifacts[0].checksum == digest.checksum);
  CHECK(artifacts[0].bytes == digest.bytes);
  bool has_loss_curve = false;
  for (const db::CurvePoint& p : storage.get_curves(trial.id)) has_loss_curve |= p.name == "lm_loss";
  CHECK(has_loss_curve);
  CHECK(storage.get_environment(trial.id).size() >= 5);
}

// The recipe with data.cache_dir left empty, as a recipe may leave it: the runner then
// caches prepared data in the study folder. (cache_dir is not part of a trial's identity.)
recipe::Recipe without_cache_dir(recipe::Recipe recipe) {
  for (recipe::TrainingTrialSpec& spec : recipe.training) spec.config.data.cache_dir.clear();
  return recipe;
}

}  // namespace

TEST_CASE("a study runs every trial once, records results, and a re-run repeats nothing", "[study][runner]") {
  ScratchDir dir("runner_e2e");
  const recipe::Recipe recipe = without_cache_dir(recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("e2e", dir.path(), 12, testing::kModesAndWidths))));
  const RunReport first = run_study(recipe, options_in(dir));
  CHECK(first.exit_code() == 0);
  CHECK(first.counts.done == 8);
  CHECK(first.failures.empty());
  // Both modes share one data setting, so one prepared corpus under <out>/data/<hash>.
  const auto caches = std::distance(std::filesystem::directory_iterator(first.plan.paths.data_cache()), {});
  CHECK(caches == 1);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "cache"));

  const auto storage = db::open_storage(first.plan.paths.storage_url);
  const std::vector<db::TrialRecord> before = storage->list_trials({.study_id = first.plan.study.id});
  REQUIRE(before.size() == 8);
  for (const db::TrialRecord& trial : before) {
    INFO("trial " << trial.id);
    CHECK(trial.status == db::TrialStatus::kDone);
    CHECK(trial.attempts == 1);
    if (trial.kind == db::TrialKind::kTrain) {
      check_training_results(*storage, trial, first.plan.paths);
    } else {
      const auto metrics = metrics_of(*storage, trial.id);
      CHECK(metrics.at("flops_per_token") > 0);
      CHECK(metrics.at("expert_budget") == Approx(metrics.at("width")));
      CHECK(metrics.count("val_loss") == 1);
      CHECK(metrics.count("moe0.dropped_fraction") == 1);
    }
  }

  const analysis::StudyData data = analysis::load_study_data(*storage, first.plan.study, &recipe);
  const std::vector<analysis::Frontier> frontiers = analysis::study_frontiers(data, {});
  REQUIRE(frontiers.size() == 2);
  CHECK(frontiers[0].group == "moe|topk|uniform");
  CHECK(frontiers[1].group == "mose|topk|uniform");
  CHECK(analysis::frontier_report(data, frontiers).comparisons.size() == 1);

  const RunReport second = run_study(recipe, options_in(dir));
  CHECK(second.exit_code() == 0);
  CHECK(second.plan.added == 0);
  const std::vector<db::TrialRecord> after = storage->list_trials({.study_id = first.plan.study.id});
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].attempts == 1);
    CHECK(after[i].finished == before[i].finished);
  }
}

TEST_CASE("a failing trial is recorded with its error and the others still run", "[study][runner]") {
  ScratchDir dir("runner_failure");
  const recipe::Recipe recipe = recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("failing", dir.path(), 6, testing::kModesAndWidths)));
  RunOptions options = options_in(dir);
  // A corrupt checkpoint where the first training trial would resume from.
  const recipe::StudyPaths paths = recipe::study_paths(recipe.name, options.out, "");
  std::filesystem::create_directories(paths.checkpoints());
  const std::filesystem::path corrupt = paths.checkpoint(recipe.training[0].config_hash);
  std::ofstream(corrupt) << "not a checkpoint";

  const RunReport failed = run_study(recipe, options);
  CHECK(failed.exit_code() == 1);
  CHECK(failed.counts.done == 4);    // the other training trial and its 3 evaluations
  CHECK(failed.counts.failed == 4);  // the broken one and, never run, its evaluations
  REQUIRE(failed.failures.size() == 4);
  CHECK_THAT(failed.failures[0].error, Catch::Matchers::Contains(corrupt.filename().string()));
  CHECK_THAT(failed.failures[1].error, Catch::Matchers::Contains("parent trial"));

  std::filesystem::remove(corrupt);
  options.retry_failed = true;
  const RunReport retried = run_study(recipe, options);
  CHECK(retried.exit_code() == 0);
  CHECK(retried.counts.done == 8);
}

TEST_CASE(
    "run --retry-failed trains a done training trial again when its evaluations failed on its damaged or missing "
    "checkpoint",
    "[study][runner][checkpoint]") {
  ScratchDir dir("runner_retrain");
  const recipe::Recipe recipe = recipe::load_recipe(testing::write_recipe(
      dir.path(),
      testing::tiny_recipe_text("retrain", dir.path(), 6, "[[policy]]\nname = \"uniform\"\nwidths = [0.5, 1.0]\n")));
  RunOptions options = options_in(dir);
  const RunReport first = run_study(recipe, options);
  REQUIRE(first.exit_code() == 0);
  const auto storage = db::open_storage(first.plan.paths.storage_url);
  const std::int64_t training = first.plan.training_ids.at(0);
  const std::int64_t eval = first.plan.eval_ids.at(0);
  const double val_loss = metrics_of(*storage, eval).at("val_loss");
  const std::filesystem::path checkpoint = first.plan.paths.checkpoint(recipe.training[0].config_hash);

  for (const bool missing : {false, true}) {
    INFO((missing ? "missing" : "damaged") << " checkpoint");
    if (missing) {
      std::filesystem::remove(checkpoint);
    } else {
      std::fstream file(checkpoint, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(100);
      file.put('\x5a');  // one byte changed: the file no longer matches the recorded CRC-32
    }
    // An evaluation to run again (as after adding a policy): it fails on the checkpoint.
    REQUIRE(storage->reset_trial(eval));
    const RunReport failed = run_study(recipe, options);
    CHECK(failed.exit_code() == 1);
    REQUIRE(failed.failures.size() == 1);
    CHECK_THAT(failed.failures[0].error, Catch::Matchers::Contains("--retry-failed"));

    options.retry_failed = true;
    const RunReport retried = run_study(recipe, options);
    options.retry_failed = false;
    CHECK(retried.exit_code() == 0);
    CHECK(retried.counts.done == 3);
    CHECK(storage->get_trial(training)->attempts == (missing ? 3 : 2));  // trained once more each time
    // The same deterministic training gives the same model, so the same evaluation.
    CHECK(metrics_of(*storage, eval).at("val_loss") == val_loss);
    CHECK(std::filesystem::exists(checkpoint));
  }
  // The damaged file was kept aside, with its checksum file; nothing was deleted.
  CHECK(std::filesystem::exists(checkpoint.string() + ".damaged"));
  CHECK(std::filesystem::exists(checkpoint.string() + ".damaged.crc32"));
}

TEST_CASE("a stop request checkpoints, hands the trial back, and the next run resumes it", "[study][runner]") {
  ScratchDir dir("runner_stop");
  const recipe::Recipe recipe = recipe::load_recipe(testing::write_recipe(
      dir.path(),
      testing::tiny_recipe_text("stop", dir.path(), 20, "[[policy]]\nname = \"uniform\"\nwidths = [1.0]\n")));
  RunOptions options = options_in(dir);
  options.progress = [](const TrialProgress& event) {
    if (event.phase == TrialPhase::kTraining && event.step >= 5) request_stop();
  };
  const RunReport stopped = run_study(recipe, options);
  clear_stop_request();
  CHECK(stopped.interrupted);
  CHECK(stopped.exit_code() == 130);
  CHECK(stopped.counts.pending == 2);
  CHECK(std::filesystem::exists(stopped.plan.paths.checkpoint(recipe.training[0].config_hash)));

  options.progress = nullptr;
  const RunReport resumed = run_study(recipe, options);
  CHECK(resumed.exit_code() == 0);
  CHECK(resumed.counts.done == 2);
  const auto storage = db::open_storage(resumed.plan.paths.storage_url);
  const std::int64_t training = resumed.plan.training_ids[0];
  CHECK(storage->get_trial(training)->attempts == 2);
  const auto metrics = metrics_of(*storage, training);
  CHECK(metrics.at("resumed_from_step") >= 5);
  CHECK(metrics.at("steps") == 20);
}

TEST_CASE("trials an earlier version of the recipe added are failed with the reason, not run", "[study][runner]") {
  ScratchDir dir("runner_drift");
  const std::string policy = "[[policy]]\nname = \"uniform\"\nwidths = [1.0]\n";
  const recipe::Recipe old_recipe = recipe::load_recipe(
      testing::write_recipe(dir.path(), testing::tiny_recipe_text("drift", dir.path(), 3, policy), "old.toml"));
  RunOptions options = options_in(dir);
  const recipe::StudyPaths paths = recipe::study_paths(old_recipe.name, options.out, "");
  std::filesystem::create_directories(paths.out);
  const StudyPlan old_plan = register_study(*db::open_storage(paths.storage_url), old_recipe, paths);

  const recipe::Recipe new_recipe = recipe::load_recipe(testing::write_recipe(
      dir.path(), testing::tiny_recipe_text("drift", dir.path(), 3, policy, "grad_accum = 2"), "new.toml"));
  const RunReport report = run_study(new_recipe, options);
  CHECK(report.exit_code() == 0);  // the recipe's own trials all ran
  CHECK(report.counts.done == 2);
  const auto storage = db::open_storage(paths.storage_url);
  const db::TrialRecord stale = *storage->get_trial(old_plan.training_ids[0]);
  CHECK(stale.status == db::TrialStatus::kFailed);
  CHECK_THAT(stale.error, Catch::Matchers::Contains("is not in recipe") && Catch::Matchers::Contains("new.toml"));
  CHECK(storage->get_trial(old_plan.eval_ids[0])->status == db::TrialStatus::kFailed);
}

}  // namespace mose::study::runner

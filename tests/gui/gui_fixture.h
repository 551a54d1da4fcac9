// A study store for the GUI tests, written through the Storage API the way workers
// write it: the trials of a real recipe (tiny_recipe.h: modes moe and mose, top-k 1 and
// 2, seeds 1 and 2; uniform widths and ttt budgets), claimed, given curves, artifacts
// and environment, and finished with metrics. The metrics are not trained (a test must
// not train 8 models): they follow the shape of the quickstart results, loss rising as
// the width or budget falls, steeply for standard MoE and gently for MoSE, and FLOPs
// growing with top-k x width, so every group has a distinct, non-trivial frontier.
#pragma once

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "db/storage.h"
#include "study/analysis/analysis.h"
#include "study/recipe/recipe.h"
#include "study/tiny_recipe.h"

namespace mose::app::gui::testing {

inline constexpr const char* kFixtureBody = R"(
[modes.moe]
"train.width.widths" = [1.0]

[modes.mose]
"train.width.widths" = [0.25, 0.5, 1.0]

[sweep]
"model.router.top_k" = [1, 2]
"train.seed" = [1, 2]

[[policy]]
name = "uniform"
widths = [0.25, 0.5, 0.75, 1.0]

[[policy]]
name = "ttt"
budgets = [0.25, 0.5, 0.75]
)";

struct FixtureStudy {
  std::filesystem::path db;
  std::filesystem::path recipe;
  study::recipe::Recipe plan;
  std::vector<std::int64_t> eval_ids;  // the trial id of each plan.evaluation entry
};

inline double fixture_loss(bool standard_moe, int top_k, std::int64_t seed, double width, bool ttt) {
  const double base = 1.64 - 0.03 * (top_k - 1) + 0.003 * static_cast<double>(seed - 1);
  const double degradation = standard_moe ? 0.9 * (1 - width) * (1 - width) : 0.08 * (1 - width);
  return base + (ttt ? 0.8 : 1.0) * degradation;
}

inline std::vector<db::Metric> fixture_eval_metrics(const study::recipe::Recipe& plan,
                                                    const study::recipe::EvalTrialSpec& spec) {
  const study::recipe::TrainingTrialSpec& training = plan.training[spec.training_index];
  const core::spec::RunConfig& config = training.config;
  const bool standard_moe = config.train.width.is_standard_moe();
  const bool ttt = spec.policy.name == "ttt";
  const double width = ttt ? spec.policy.budget : spec.policy.width;
  const int top_k = static_cast<int>(config.model.router.top_k);
  const double loss = fixture_loss(standard_moe, top_k, static_cast<std::int64_t>(config.train.seed), width, ttt);
  const double flops = 1.0e6 + 2.0e6 * top_k * width;
  return {{"val_loss", loss},
          {"perplexity", std::exp(loss)},
          {"flops_per_token", flops},
          {"expert_flops_per_token", flops - 1.0e6},
          {"expert_budget", width},
          {"mean_width", width},
          {"moe0.mean_width", width},
          {"moe1.mean_width", 0.95 * width},
          {"moe0.load_max_over_mean", 1.1 + 0.1 * top_k},
          {"moe1.load_max_over_mean", 1.2 + 0.1 * top_k}};
}

inline void finish_training(db::Storage& storage, const db::ClaimedTrial& claimed) {
  std::vector<db::CurvePoint> points;
  for (std::int64_t step = 5; step <= 40; step += 5) {
    points.push_back({"lm_loss", step, 5.5 / std::sqrt(static_cast<double>(step))});
    points.push_back({"tokens", step, static_cast<double>(step * 128)});
  }
  storage.append_curve(claimed.lease, points);
  storage.add_artifact(claimed.lease, {.kind = "checkpoint",
                                       .path = "checkpoints/" + claimed.trial.config_hash + ".pt",
                                       .checksum = "fnv1a64:0",
                                       .bytes = 123456});
  storage.set_environment(claimed.lease, {{"host", "fixture"}, {"torch", "2.11.0"}});
  storage.finish(claimed.lease, {{"train_loss", 1.7}, {"tokens", 5120}, {"steps", 40}});
}

// Writes the recipe and the finished study into `dir` (recipe.toml, study.db).
inline FixtureStudy make_fixture_study(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  FixtureStudy fixture;
  fixture.recipe =
      study::testing::write_recipe(dir, study::testing::tiny_recipe_text("gui-fixture", dir, 40, kFixtureBody));
  fixture.plan = study::recipe::load_recipe(fixture.recipe);
  fixture.db = dir / "study.db";
  std::unique_ptr<db::Storage> storage = db::open_storage(fixture.db.string());
  const db::StudyRecord study = storage->create_or_get_study(
      {.name = fixture.plan.name, .recipe_path = fixture.recipe.string(), .recipe_text = ""});
  std::vector<db::NewTrial> training;
  for (const study::recipe::TrainingTrialSpec& spec : fixture.plan.training) {
    training.push_back({.kind = db::TrialKind::kTrain,
                        .config = spec.config_json,
                        .config_hash = spec.config_hash,
                        .seed = static_cast<std::int64_t>(spec.config.train.seed)});
  }
  const std::vector<db::AddedTrial> parents = storage->add_trials(study.id, training);
  std::vector<db::NewTrial> evaluation;
  for (const study::recipe::EvalTrialSpec& spec : fixture.plan.evaluation) {
    evaluation.push_back({.kind = db::TrialKind::kEval,
                          .config = spec.config_json,
                          .config_hash = spec.config_hash,
                          .parent_id = parents[spec.training_index].id});
  }
  const std::vector<db::AddedTrial> evals = storage->add_trials(study.id, evaluation);
  for (const db::AddedTrial& added : evals) fixture.eval_ids.push_back(added.id);
  while (const std::optional<db::ClaimedTrial> claimed =
             storage->claim_next({.worker = "fixture", .study_id = study.id})) {
    if (claimed->trial.kind == db::TrialKind::kTrain) {
      finish_training(*storage, *claimed);
      continue;
    }
    for (std::size_t i = 0; i < evals.size(); ++i) {
      if (evals[i].id == claimed->trial.id) {
        storage->set_environment(claimed->lease, {{"host", "fixture"}});
        storage->finish(claimed->lease, fixture_eval_metrics(fixture.plan, fixture.plan.evaluation[i]));
      }
    }
  }
  return fixture;
}

}  // namespace mose::app::gui::testing

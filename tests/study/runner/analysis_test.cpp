// Analysis of a study from its store, on synthetic results (no training): groups and
// labels with and without the recipe, frontier figures, trials.csv round-trip, status
// and the checkpoint gc rules.
#include "study/analysis/analysis.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "base/file_checksum.h"
#include "study/analysis/analysis_export.h"
#include "study/analysis/analysis_frontiers.h"
#include "study/analysis/checkpoint_gc.h"
#include "study/analysis/study_status.h"
#include "study/runner/study_plan.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::study::runner {
namespace {

using testing::ScratchDir;

// Two modes x two seeds, three uniform widths: 4 training + 12 evaluation trials.
// Seed 2 is strictly worse than seed 1, so its evaluations are all dominated.
constexpr const char* kSweep = R"(
[sweep]
"train.seed" = [1, 2]
)";

double fake_loss(bool mose, double seed, double width) {
  const double base = mose ? 2.95 + 0.2 * (1 - width) : 3.0 + 2.0 * (1 - width) * (1 - width);
  return base + (seed - 1.0);
}

struct FakeStudy {
  ScratchDir dir{"analysis"};
  double now = 1'700'000'000.0;
  recipe::Recipe recipe;
  recipe::StudyPaths paths;
  std::unique_ptr<db::Storage> storage;
  StudyPlan plan;

  explicit FakeStudy(const char* sweep = kSweep)
      : recipe(recipe::load_recipe(testing::write_recipe(
            dir.path(),
            testing::tiny_recipe_text("fake", dir.path(), 10, std::string(testing::kModesAndWidths) + sweep)))),
        paths(recipe::study_paths(recipe.name, dir.path() / "out", "")) {
    std::filesystem::create_directories(paths.out);
    db::StorageOptions options;
    options.clock = [this] { return now; };
    storage = db::open_storage(paths.storage_url, options);
    plan = register_study(*storage, recipe, paths);
  }

  // Claims and finishes every claimable trial except `skip`, each taking 10 s.
  void finish_all(std::int64_t skip = -1) {
    while (auto claimed = storage->claim_next({.worker = "fake", .study_id = plan.study.id})) {
      if (claimed->trial.id == skip) continue;
      now += 10;
      REQUIRE(storage->finish(claimed->lease, metrics_for(*plan.find(claimed->trial.id))) == db::LeaseState::kHeld);
    }
  }

  std::vector<db::Metric> metrics_for(const PlannedTrial& planned) const {
    if (planned.kind == db::TrialKind::kTrain) return {{"val_loss", 3.0}, {"train_loss", 2.9}};
    const recipe::EvalTrialSpec& eval = recipe.evaluation[planned.index];
    const core::spec::RunConfig& config = recipe.training[eval.training_index].config;
    const bool mose = !config.train.width.is_standard_moe();
    const double w = eval.policy.width;
    return {{"flops_per_token", 1e6 * (1 + w)},
            {"val_loss", fake_loss(mose, static_cast<double>(config.train.seed), w)},
            {"expert_budget", w},
            {"width", w},
            {"task/gloss/acc", 0.25 + 0.5 * w}};
  }
};

}  // namespace

TEST_CASE("trials are grouped by mode, routing and policy and labelled from the recipe", "[study][analysis]") {
  FakeStudy f;
  f.finish_all();
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, &f.recipe);
  REQUIRE(data.trials.size() == 16);
  const analysis::TrialRow& moe_train = data.trials[0];
  CHECK(moe_train.group == "moe|topk|train");
  CHECK(moe_train.label == "mode=moe,train.seed=1");
  CHECK(moe_train.standard_moe);
  const analysis::TrialRow& eval = *data.find(f.plan.eval_ids[1]);
  CHECK(eval.group == "moe|topk|uniform");
  CHECK(eval.label == "policy=uniform,width=0.5");
  CHECK(eval.full_label() == "mode=moe,train.seed=1 / policy=uniform,width=0.5");
  CHECK(eval.width == 0.5);
  CHECK(eval.metric("val_loss") == fake_loss(false, 1, 0.5));
  CHECK_FALSE(data.find(f.plan.eval_ids.back())->standard_moe);
}

TEST_CASE("sweep axes other than mode and seed split routing regimes into groups", "[study][analysis]") {
  FakeStudy f(R"(
[sweep]
"model.router.top_k" = [1, 2]
"train.seed" = [1, 2]
)");
  f.finish_all();
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, &f.recipe);
  std::set<std::string> groups;
  for (const analysis::TrialRow& row : data.trials) groups.insert(row.group);
  // 2 modes x 2 top-k values x (train + uniform); the two seeds share each group.
  CHECK(groups ==
        std::set<std::string>{"moe|topk[model.router.top_k=1]|train", "moe|topk[model.router.top_k=1]|uniform",
                              "moe|topk[model.router.top_k=2]|train", "moe|topk[model.router.top_k=2]|uniform",
                              "mose|topk[model.router.top_k=1]|train", "mose|topk[model.router.top_k=1]|uniform",
                              "mose|topk[model.router.top_k=2]|train", "mose|topk[model.router.top_k=2]|uniform"});
}

TEST_CASE("without the recipe, trials are labelled from the stored configs", "[study][analysis]") {
  FakeStudy f;
  f.finish_all();
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, nullptr);
  const analysis::TrialRow& train = data.trials[0];
  CHECK(train.label == "trial " + std::to_string(train.trial.id));
  CHECK(train.mode == "train");
  const analysis::TrialRow& eval = *data.find(f.plan.eval_ids[2]);
  CHECK(eval.group == "train|topk|uniform");
  CHECK(eval.label == "policy=uniform,width=1");
  CHECK(eval.width == 1.0);
  CHECK(data.axis_names.empty());
}

TEST_CASE("frontier figures compare MoSE with standard MoE of the same routing and policy", "[study][analysis]") {
  FakeStudy f;
  f.finish_all();
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, &f.recipe);
  const std::vector<analysis::Frontier> frontiers = analysis::study_frontiers(data, {});
  REQUIRE(frontiers.size() == 2);
  CHECK(frontiers[0].frontier.size() == 3);  // seed 1 of moe; seed 2 is dominated
  CHECK(frontiers[0].dominated.size() == 3);
  const analysis::FrontierReport report = analysis::frontier_report(data, frontiers);
  REQUIRE(report.reference);
  CHECK(report.reference->x == Approx(1.1 * 2e6));
  CHECK(report.reference->y == Approx(fake_loss(false, 2, 0.25) + 0.1));
  REQUIRE(report.comparisons.size() == 1);
  const analysis::FrontierComparison& c = report.comparisons[0];
  CHECK(c.candidate == "mose|topk|uniform");
  CHECK(c.baseline == "moe|topk|uniform");
  REQUIRE(c.saving);
  CHECK(c.saving->target_y == 3.0);
  CHECK(c.saving->saved_fraction() > 0);
  REQUIRE(c.gap);
  CHECK(c.gap->area > 0);
  CHECK_THAT(analysis::format_frontier_report(report, {}),
             Catch::Matchers::Contains("fewer FLOPs than 'moe|topk|uniform'"));
}

TEST_CASE("trials.csv reads back to the stored values exactly", "[study][analysis][csv]") {
  FakeStudy f;
  f.finish_all();
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, &f.recipe);
  const auto written = analysis::export_study(data, {.directory = f.paths.out, .formats = {"csv"}});
  REQUIRE(written.size() == 2);
  const analysis::CsvTable table = analysis::read_csv(f.paths.out / "trials.csv");
  REQUIRE(table.rows.size() == 16);
  CHECK(table.columns.back() == "axis:train.seed");
  // The task metrics trials recorded get their own columns (task/<name>/...).
  CHECK(std::find(table.columns.begin(), table.columns.end(), "task/gloss/acc") != table.columns.end());
  for (const auto& row : table.rows) {
    const auto id = static_cast<std::int64_t>(analysis::parse_csv_number(row[table.column("trial_id")], "trial_id"));
    const db::TrialRecord trial = *f.storage->get_trial(id);
    CHECK(row[table.column("status")] == "done");
    CHECK(row[table.column("config_hash")] == trial.config_hash);
    CHECK(row[table.column("group")] == data.find(id)->group);
    // budget: the policy's target (uniform: its width); empty for training trials.
    CHECK(row[table.column("budget")] == row[table.column("width")]);
    for (const db::MetricRecord& m : f.storage->get_metrics({id})) {
      const auto it = std::find(table.columns.begin(), table.columns.end(), m.name);
      if (it == table.columns.end()) continue;
      CHECK(analysis::parse_csv_number(row[static_cast<std::size_t>(it - table.columns.begin())], m.name) == m.value);
    }
  }
}

TEST_CASE("status counts trials, progress per axis value, and an ETA from mean durations", "[study][analysis]") {
  FakeStudy f;
  const std::int64_t left = f.plan.eval_ids.back();
  f.finish_all(left);  // `left` is claimed, then abandoned: it stays running
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, &f.recipe);
  const analysis::StudyStatus status = analysis::study_status(data, f.now);
  CHECK(status.training.done == 4);
  CHECK(status.evaluation.done == 11);
  CHECK(status.evaluation.running == 1);
  CHECK(status.mean_evaluation_s == Approx(10.0));
  REQUIRE(status.eta_s);
  CHECK(*status.eta_s <= 10.0);
  REQUIRE(status.axes.size() == 4);  // mode = moe, mose; train.seed = 1, 2
  CHECK(status.axes[0].axis == "mode");
  CHECK(status.axes[0].done == status.axes[0].total);
  CHECK(status.axes[1].total - status.axes[1].done == 1);
}

TEST_CASE("gc frees only checkpoints whose evaluations are all done and all dominated", "[study][analysis][gc]") {
  FakeStudy f;
  const std::int64_t pending_eval = f.plan.eval_ids.back();  // an evaluation of mose, seed 2
  f.finish_all(pending_eval);
  std::filesystem::create_directories(f.paths.checkpoints());
  for (const recipe::TrainingTrialSpec& spec : f.recipe.training) {
    std::ofstream(f.paths.checkpoint(spec.config_hash)) << "x";
    std::ofstream(checksum_file_for(f.paths.checkpoint(spec.config_hash))) << "crc32:8cdc1683 1\n";
  }
  const analysis::StudyData data = analysis::load_study_data(*f.storage, f.plan.study, &f.recipe);
  const std::vector<analysis::GcCandidate> candidates =
      analysis::plan_checkpoint_gc(data, analysis::study_frontiers(data, {}), f.paths);
  REQUIRE(candidates.size() == 1);  // moe seed 2; mose seed 2 still has an evaluation to run
  CHECK(candidates[0].label == "mode=moe,train.seed=2");
  CHECK(analysis::remove_checkpoints(candidates) == 1);
  CHECK_FALSE(std::filesystem::exists(candidates[0].checkpoint));
  CHECK_FALSE(std::filesystem::exists(checksum_file_for(candidates[0].checkpoint)));
  CHECK(analysis::plan_checkpoint_gc(data, analysis::study_frontiers(data, {}), f.paths).empty());
}

}  // namespace mose::study::runner

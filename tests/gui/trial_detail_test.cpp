// The trial panel's model: flattened configs and their diff, loss curves against
// tokens, per-layer metrics.
#include <catch2/catch.hpp>

#include <cmath>

#include "app/gui/view_model/trial_detail.h"
#include "gui/gui_test_support.h"

namespace mose::app::gui::view_model {
namespace {

const study::analysis::TrialRow* find_eval(const study::analysis::StudyData& data, const std::string& mode,
                                           const std::string& top_k) {
  for (const study::analysis::TrialRow& row : data.trials) {
    if (row.trial.kind != db::TrialKind::kEval || row.mode != mode || row.policy != "uniform") continue;
    for (const auto& [axis, value] : row.axes) {
      if (axis == "model.router.top_k" && value == top_k) return &row;
    }
  }
  return nullptr;
}

TEST_CASE("trial detail: config of an evaluation = its model's config + policy, diffed by key", "[gui][trial_detail]") {
  const auto loaded = testing::load_fixture("config");
  const study::analysis::StudyData& data = loaded.snapshot->data;
  const study::analysis::TrialRow* a = find_eval(data, "mose", "1");
  const study::analysis::TrialRow* b = find_eval(data, "mose", "2");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  const auto flat = flat_config(data, *a);
  const auto has = [&](const std::string& key, const std::string& value) {
    return std::find(flat.begin(), flat.end(), std::pair{key, value}) != flat.end();
  };
  REQUIRE(has("model.router.top_k", "1"));
  REQUIRE(has("policy.name", "uniform"));
  REQUIRE(has("train.width.widths", "[0.25,0.5,1]"));

  std::map<std::string, ConfigLine> lines;
  for (const ConfigLine& line : config_diff(data, *a, b)) lines[line.key] = line;
  REQUIRE(lines.at("model.router.top_k").change == ConfigLine::Change::kChanged);
  REQUIRE(lines.at("model.router.top_k").first == "1");
  REQUIRE(lines.at("model.router.top_k").second == "2");
  REQUIRE(lines.at("model.d_model").change == ConfigLine::Change::kSame);
  for (const ConfigLine& line : config_diff(data, *a, nullptr)) REQUIRE(line.change == ConfigLine::Change::kSame);
  REQUIRE(training_row(data, *a)->trial.id == *a->trial.parent_id);
}

TEST_CASE("trial detail: loss curves are placed at the tokens seen by their step", "[gui][trial_detail]") {
  const std::vector<db::CurvePoint> points{{"lm_loss", 5, 3.0},  {"tokens", 5, 640},           {"lm_loss", 10, 2.5},
                                           {"tokens", 10, 1280}, {"pass_loss:w0.25", 10, 2.9}, {"lr", 10, 0.001}};
  const TrainingCurves curves = training_curves(points);
  REQUIRE(curves.x_label == "tokens");
  REQUIRE(curves.curves.size() == 2);
  REQUIRE(curves.curves[0].name == "lm_loss");
  REQUIRE(curves.curves[0].xs == std::vector<double>{640, 1280});
  REQUIRE(curves.curves[0].ys == std::vector<double>{3.0, 2.5});
  REQUIRE(curves.curves[1].name == "pass_loss:w0.25");
  REQUIRE(curves.curves[1].xs == std::vector<double>{1280});

  const TrainingCurves by_step = training_curves({{"lm_loss", 5, 3.0}});
  REQUIRE(by_step.x_label == "step");
  REQUIRE(by_step.curves[0].xs == std::vector<double>{5});
}

TEST_CASE("trial detail: per-layer metrics by layer index, gaps as NaN", "[gui][trial_detail]") {
  study::analysis::TrialRow row;
  row.metrics = {{"moe0.mean_width", 0.5},
                 {"moe2.mean_width", 0.25},
                 {"moe1.load_max_over_mean", 1.3},
                 {"moex.bad", 1.0},
                 {"mean_width", 0.4}};
  const std::vector<LayerMetric> layers = layer_metrics(row);
  REQUIRE(layers.size() == 2);
  REQUIRE(layers[0].name == "load_max_over_mean");
  REQUIRE(layers[1].name == "mean_width");
  REQUIRE(layers[1].by_layer.size() == 3);
  REQUIRE(layers[1].by_layer[0] == 0.5);
  REQUIRE(std::isnan(layers[1].by_layer[1]));
  REQUIRE(layers[1].by_layer[2] == 0.25);
}

}  // namespace
}  // namespace mose::app::gui::view_model

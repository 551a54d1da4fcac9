// What the trial panel shows for the selected trial: its configuration as dotted keys
// (diffed against a second trial), its training curves (loss against tokens), its
// per-layer MoE metrics, checkpoint and other artifacts, and where it ran. The rows and
// metrics come from the snapshot; curves, artifacts and the environment are read on
// the loader thread (study_loader.h) and arrive as a TrialRecords.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/records.h"
#include "study/analysis/analysis.h"

namespace mose::app::gui::view_model {

// A trial's effective configuration as (dotted key, value text), sorted by key. For an
// evaluation trial: its training trial's configuration (when in `data`) with the policy
// as "policy.*" keys on top.
std::vector<std::pair<std::string, std::string>> flat_config(const study::analysis::StudyData& data,
                                                             const study::analysis::TrialRow& row);

struct ConfigLine {
  enum class Change { kSame, kChanged, kOnlyFirst, kOnlySecond };
  std::string key{};
  std::string first{};   // value in the first trial ("" when absent)
  std::string second{};  // value in the second trial ("" when absent or no second trial)
  Change change = Change::kSame;
};

// The first trial's configuration, merged by key with the second's when given.
std::vector<ConfigLine> config_diff(const study::analysis::StudyData& data, const study::analysis::TrialRow& first,
                                    const study::analysis::TrialRow* second);

// What the loader reads for one trial (the curves of an evaluation trial are those of
// its training trial, `curves_trial`).
struct TrialRecords {
  std::int64_t trial_id = 0;
  std::int64_t curves_trial = 0;
  std::vector<db::CurvePoint> curves{};
  std::vector<db::ArtifactRecord> artifacts{};
  std::vector<db::EnvironmentEntry> environment{};
};

struct Curve {
  std::string name{};
  std::vector<double> xs{}, ys{};
};

struct TrainingCurves {
  std::string x_label = "step";  // "tokens" when the run logged its token count
  std::vector<Curve> curves{};   // the loss curves: lm_loss, then pass_loss:<width> ones
};

// Loss curves against tokens: each curve point at step s is placed at the "tokens"
// curve's value at s (the tokens seen by then); without a tokens curve, at s.
TrainingCurves training_curves(const std::vector<db::CurvePoint>& points);

// One bar chart per per-layer metric: metrics named "moe<i>.<name>" become
// {name, values by layer i}; layers a trial lacks read as NaN.
struct LayerMetric {
  std::string name{};
  std::vector<double> by_layer{};
};
std::vector<LayerMetric> layer_metrics(const study::analysis::TrialRow& row);

// The training trial whose per-layer metrics, curves and checkpoint belong to `row`:
// itself for training trials, its parent for evaluations (nullptr when absent).
const study::analysis::TrialRow* training_row(const study::analysis::StudyData& data,
                                              const study::analysis::TrialRow& row);

}  // namespace mose::app::gui::view_model

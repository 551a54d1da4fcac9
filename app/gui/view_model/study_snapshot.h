// One read of a study, as every panel draws it: the study's trials and metrics
// (study/analysis/analysis.h), each trial's filter facets, the metric names a frontier can plot,
// and progress. Built on the loader thread (study_loader.h) and published immutable, so
// the UI thread reads it without locks and never waits for the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/records.h"
#include "study/analysis/analysis.h"

namespace mose::app::gui::view_model {

// (facet name, value text) pairs a trial can be filtered by, e.g. ("policy", "ttt"),
// ("policy.budget", "0.5"), ("train.seed", "2").
using Facets = std::vector<std::pair<std::string, std::string>>;

struct StudySnapshot {
  std::string source{};  // the store, in words ("sqlite:out/quickstart/study.db")
  study::analysis::StudyData data{};
  std::vector<Facets> facets{};             // parallel to data.trials
  std::vector<std::string> metric_names{};  // every metric of a done evaluation trial, sorted
  db::StatusCounts training{};
  db::StatusCounts evaluation{};
  std::optional<double> eta_s{};  // study/analysis/study_status.h; nullopt when unknown or finished
  double loaded_at = 0.0;         // unix seconds
  std::uint64_t version = 0;      // grows with every snapshot the loader publishes
};

// The facets of one trial: mode, routing, policy, every parameter of an evaluation's
// policy ("policy.width", "policy.budget", ...), the training seed, and every recipe
// axis except "mode" (sweeps over model size, top-k, ...). Evaluation trials take the
// seed and axes of their training trial.
Facets trial_facets(const study::analysis::StudyData& data, const study::analysis::TrialRow& row);

// Everything but `source`, `loaded_at` and `version`, computed from `data` at `now`.
StudySnapshot make_snapshot(study::analysis::StudyData data, double now);

}  // namespace mose::app::gui::view_model

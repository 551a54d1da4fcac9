#include "study_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "study/analysis/json_reader.h"
#include "study/analysis/study_status.h"

namespace mose::app::gui::view_model {
namespace {

// Each parameter of the stored policy object but its name, as "policy.<key>" facets.
void add_policy_parameters(const study::analysis::TrialRow& row, Facets& facets) {
  const study::analysis::Json config =
      study::analysis::parse_json(row.trial.config, fmt::format("trial {} config", row.trial.id));
  const study::analysis::Json* policy = study::analysis::json_find(config, "policy");
  if (policy == nullptr || !policy->is_object()) return;
  for (const auto& [key, value] : policy->items()) {
    if (key != "name") facets.emplace_back("policy." + key, *study::analysis::json_text(&value));
  }
}

void count_statuses(const study::analysis::StudyData& data, StudySnapshot& snapshot) {
  for (const study::analysis::TrialRow& row : data.trials) {
    db::StatusCounts& counts = row.trial.kind == db::TrialKind::kTrain ? snapshot.training : snapshot.evaluation;
    switch (row.trial.status) {
      case db::TrialStatus::kPending: ++counts.pending; break;
      case db::TrialStatus::kRunning: ++counts.running; break;
      case db::TrialStatus::kDone: ++counts.done; break;
      case db::TrialStatus::kFailed: ++counts.failed; break;
    }
  }
}

}  // namespace

Facets trial_facets(const study::analysis::StudyData& data, const study::analysis::TrialRow& row) {
  Facets facets{{"mode", row.mode}, {"routing", row.routing}, {"policy", row.policy}};
  const study::analysis::TrialRow* training = &row;
  if (row.trial.kind == db::TrialKind::kEval) {
    add_policy_parameters(row, facets);
    training = row.trial.parent_id ? data.find(*row.trial.parent_id) : nullptr;
  }
  if (training != nullptr) facets.emplace_back("seed", std::to_string(training->trial.seed));
  for (const auto& [axis, value] : row.axes) {
    if (axis != "mode" && axis != "train.seed") facets.emplace_back(axis, value);
  }
  return facets;
}

StudySnapshot make_snapshot(study::analysis::StudyData data, double now) {
  StudySnapshot snapshot;
  std::set<std::string> metrics;
  snapshot.facets.reserve(data.trials.size());
  for (const study::analysis::TrialRow& row : data.trials) {
    snapshot.facets.push_back(trial_facets(data, row));
    if (row.trial.kind == db::TrialKind::kEval && row.trial.status == db::TrialStatus::kDone) {
      for (const auto& [name, value] : row.metrics) metrics.insert(name);
    }
  }
  snapshot.metric_names.assign(metrics.begin(), metrics.end());
  count_statuses(data, snapshot);
  snapshot.eta_s = study::analysis::study_status(data, now).eta_s;
  snapshot.data = std::move(data);
  return snapshot;
}

}  // namespace mose::app::gui::view_model

#include "db/postgres/rows.h"

namespace mose::db::postgres {

StudyRecord read_study(const Result& result, int row) {
  StudyRecord study;
  study.id = result.int64(row, 0);
  study.name = result.text(row, 1);
  study.recipe_path = result.text(row, 2);
  study.recipe_text = result.text(row, 3);
  study.created = result.real(row, 4);
  return study;
}

TrialRecord read_trial(const Result& result, int row) {
  TrialRecord trial;
  trial.id = result.int64(row, 0);
  trial.study_id = result.int64(row, 1);
  trial.kind = parse_trial_kind(result.text(row, 2));
  trial.status = parse_trial_status(result.text(row, 3));
  trial.config = result.text(row, 4);
  trial.config_hash = result.text(row, 5);
  trial.parent_id = result.optional_int64(row, 6);
  trial.seed = result.int64(row, 7);
  trial.created = result.real(row, 8);
  trial.started = result.optional_real(row, 9);
  trial.finished = result.optional_real(row, 10);
  trial.heartbeat = result.optional_real(row, 11);
  trial.worker = result.text(row, 12);
  trial.attempts = result.int64(row, 13);
  trial.error = result.text(row, 14);
  return trial;
}

std::vector<TrialRecord> read_trials(const Result& result) {
  std::vector<TrialRecord> trials;
  trials.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) trials.push_back(read_trial(result, row));
  return trials;
}

}  // namespace mose::db::postgres

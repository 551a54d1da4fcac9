#include "db/sqlite/rows.h"

#include <limits>

namespace mose::db::sqlite {

StudyRecord read_study(const Statement& row) {
  StudyRecord study;
  study.id = row.column_int64(0);
  study.name = row.column_text(1);
  study.recipe_path = row.column_text(2);
  study.recipe_text = row.column_text(3);
  study.created = row.column_double(4);
  return study;
}

TrialRecord read_trial(const Statement& row) {
  TrialRecord trial;
  trial.id = row.column_int64(0);
  trial.study_id = row.column_int64(1);
  trial.kind = parse_trial_kind(row.column_text(2));
  trial.status = parse_trial_status(row.column_text(3));
  trial.config = row.column_text(4);
  trial.config_hash = row.column_text(5);
  trial.parent_id = row.column_optional_int64(6);
  trial.seed = row.column_int64(7);
  trial.created = row.column_double(8);
  trial.started = row.column_optional_double(9);
  trial.finished = row.column_optional_double(10);
  trial.heartbeat = row.column_optional_double(11);
  trial.worker = row.column_text(12);
  trial.attempts = row.column_int64(13);
  trial.error = row.column_text(14);
  return trial;
}

double read_real(const Statement& row, int column) {
  return row.column_optional_double(column).value_or(std::numeric_limits<double>::quiet_NaN());
}

}  // namespace mose::db::sqlite

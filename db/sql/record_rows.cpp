#include "db/sql/record_rows.h"

namespace mose::db::sql {

StudyRecord read_study(const Rows& rows, int row) {
  return {.id = rows.int64(row, 0),
          .name = rows.text(row, 1),
          .recipe_path = rows.text(row, 2),
          .recipe_text = rows.text(row, 3),
          .created = rows.real(row, 4)};
}

TrialRecord read_trial(const Rows& rows, int row) {
  TrialRecord trial;
  trial.id = rows.int64(row, 0);
  trial.study_id = rows.int64(row, 1);
  trial.kind = parse_trial_kind(rows.text(row, 2));
  trial.status = parse_trial_status(rows.text(row, 3));
  trial.config = rows.text(row, 4);
  trial.config_hash = rows.text(row, 5);
  trial.parent_id = rows.optional_int64(row, 6);
  trial.seed = rows.int64(row, 7);
  trial.created = rows.real(row, 8);
  trial.started = rows.optional_real(row, 9);
  trial.finished = rows.optional_real(row, 10);
  trial.heartbeat = rows.optional_real(row, 11);
  trial.worker = rows.text(row, 12);
  trial.attempts = rows.int64(row, 13);
  trial.error = rows.text(row, 14);
  return trial;
}

}  // namespace mose::db::sql

// Column lists and row readers for the studies and trials tables, so every
// query that returns a whole record selects the same columns in the same order.
#pragma once

#include <string_view>

#include "db/records.h"
#include "db/sqlite/connection.h"

namespace mose::db::sqlite {

// Columns to SELECT, in the order read_study / read_trial expect them.
inline constexpr std::string_view kStudyColumns = "id, name, recipe_path, recipe_text, created";
inline constexpr std::string_view kTrialColumns =
    "id, study_id, kind, status, config, config_hash, parent_id, seed, created, started, finished, "
    "heartbeat, worker, attempts, error";

// Read the current row of a statement that selected the columns above first.
StudyRecord read_study(const Statement& row);
TrialRecord read_trial(const Statement& row);

// A stored REAL that may be NULL, which is how SQLite keeps NaN.
double read_real(const Statement& row, int column);

}  // namespace mose::db::sqlite

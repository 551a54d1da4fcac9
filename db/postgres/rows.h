// Column lists and row readers for the studies and trials tables, so every
// query that returns a whole record selects the same columns in the same order
// (the same lists as SQLite's, db/sqlite/rows.h).
#pragma once

#include <string_view>

#include "db/postgres/connection.h"
#include "db/records.h"

namespace mose::db::postgres {

inline constexpr std::string_view kStudyColumns = "id, name, recipe_path, recipe_text, created";
inline constexpr std::string_view kTrialColumns =
    "id, study_id, kind, status, config, config_hash, parent_id, seed, created, started, finished, "
    "heartbeat, worker, attempts, error";

StudyRecord read_study(const Result& result, int row);
TrialRecord read_trial(const Result& result, int row);
std::vector<TrialRecord> read_trials(const Result& result);

}  // namespace mose::db::postgres

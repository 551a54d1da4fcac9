// Column lists and row readers for the studies and trials tables, so every
// query that returns a whole record selects the same columns in the same order.
#pragma once

#include <string_view>
#include <vector>

#include "db/records.h"
#include "db/sql/rows.h"

namespace mose::db::sql {

// Columns to SELECT (or RETURN), in the order read_study / read_trial expect them.
inline constexpr std::string_view kStudyColumns = "id, name, recipe_path, recipe_text, created";
inline constexpr std::string_view kTrialColumns =
    "id, study_id, kind, status, config, config_hash, parent_id, seed, created, started, finished, "
    "heartbeat, worker, attempts, error";

StudyRecord read_study(const Rows& rows, int row);
TrialRecord read_trial(const Rows& rows, int row);

// Every row, read by `read` (read_study, read_trial).
template <typename Read>
auto read_all(const Rows& rows, Read&& read) {
  std::vector<decltype(read(rows, 0))> records;
  records.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) records.push_back(read(rows, row));
  return records;
}

}  // namespace mose::db::sql

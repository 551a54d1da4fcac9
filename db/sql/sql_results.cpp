// SqlStorage, part 3 of 4: reading results back. Metrics come for many trials
// in one query because the Pareto code and the GUI read thousands: the ids
// travel as one JSON array parameter. Text sorts by its bytes in both dialects
// (Dialect::bytewise), so results come in the same order from either store.
#include "db/sql/record_rows.h"
#include "db/sql/sql_storage.h"
#include "db/sql/sql_text.h"

namespace mose::db::sql {

std::vector<MetricRecord> SqlStorage::get_metrics(const std::vector<std::int64_t>& trial_ids) {
  if (trial_ids.empty()) return {};
  const std::string ids(dialect().ids_from_json);
  const std::string bytewise(dialect().bytewise);
  return read_all(session_->run("SELECT trial_id, name, value FROM metrics WHERE trial_id IN (" + ids +
                                    ") ORDER BY trial_id, name" + bytewise,
                                Params::of(json_id_array(trial_ids))),
                  [](const Rows& found, int row) {
                    return MetricRecord{found.int64(row, 0), found.text(row, 1), found.real(row, 2)};
                  });
}

std::vector<CurvePoint> SqlStorage::get_curves(std::int64_t trial_id) {
  const std::string bytewise(dialect().bytewise);
  return read_all(
      session_->run("SELECT name, step, value FROM curves WHERE trial_id = $1 ORDER BY name" + bytewise + ", step",
                    Params::of(trial_id)),
      [](const Rows& found, int row) {
        return CurvePoint{found.text(row, 0), found.int64(row, 1), found.real(row, 2)};
      });
}

std::vector<ArtifactRecord> SqlStorage::get_artifacts(std::int64_t trial_id) {
  const std::string bytewise(dialect().bytewise);
  return read_all(session_->run("SELECT kind, path, checksum, bytes, created FROM artifacts WHERE trial_id = $1 "
                                "ORDER BY kind" +
                                    bytewise + ", path" + bytewise,
                                Params::of(trial_id)),
                  [trial_id](const Rows& found, int row) {
                    return ArtifactRecord{trial_id,           found.text(row, 0),  found.text(row, 1),
                                          found.text(row, 2), found.int64(row, 3), found.real(row, 4)};
                  });
}

std::vector<EnvironmentEntry> SqlStorage::get_environment(std::int64_t trial_id) {
  const std::string bytewise(dialect().bytewise);
  return read_all(session_->run("SELECT key, value FROM environment WHERE trial_id = $1 ORDER BY key" + bytewise,
                                Params::of(trial_id)),
                  [](const Rows& found, int row) {
                    return EnvironmentEntry{found.text(row, 0), found.text(row, 1)};
                  });
}

}  // namespace mose::db::sql

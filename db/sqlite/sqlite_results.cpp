// SqliteStorage, part 3 of 3: reading results back. Metrics come for many
// trials in one query because the Pareto code and the GUI read thousands.
#include "db/sqlite/sqlite_storage.h"

#include "db/sqlite/rows.h"

namespace mose::db::sqlite {
namespace {

// "[3,17,42]": the trial ids as one JSON array, which json_each() turns into a
// table. One bound parameter instead of thousands, so SQLite's limit on
// parameters per statement never applies.
std::string json_array(const std::vector<std::int64_t>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

}  // namespace

std::vector<MetricRecord> SqliteStorage::get_metrics(const std::vector<std::int64_t>& trial_ids) {
  if (trial_ids.empty()) return {};
  Statement query = connection_.prepare(
      "SELECT trial_id, name, value FROM metrics "
      "WHERE trial_id IN (SELECT value FROM json_each(?1)) ORDER BY trial_id, name");
  query.bind_all(json_array(trial_ids));
  std::vector<MetricRecord> metrics;
  while (query.step()) metrics.push_back({query.column_int64(0), query.column_text(1), read_real(query, 2)});
  return metrics;
}

std::vector<CurvePoint> SqliteStorage::get_curves(std::int64_t trial_id) {
  Statement query = connection_.prepare("SELECT name, step, value FROM curves WHERE trial_id = ?1 ORDER BY name, step");
  query.bind_all(trial_id);
  std::vector<CurvePoint> points;
  while (query.step()) points.push_back({query.column_text(0), query.column_int64(1), read_real(query, 2)});
  return points;
}

std::vector<ArtifactRecord> SqliteStorage::get_artifacts(std::int64_t trial_id) {
  Statement query = connection_.prepare(
      "SELECT kind, path, checksum, bytes, created FROM artifacts WHERE trial_id = ?1 ORDER BY kind, path");
  query.bind_all(trial_id);
  std::vector<ArtifactRecord> artifacts;
  while (query.step()) {
    artifacts.push_back({trial_id, query.column_text(0), query.column_text(1), query.column_text(2),
                         query.column_int64(3), query.column_double(4)});
  }
  return artifacts;
}

std::vector<EnvironmentEntry> SqliteStorage::get_environment(std::int64_t trial_id) {
  Statement query = connection_.prepare("SELECT key, value FROM environment WHERE trial_id = ?1 ORDER BY key");
  query.bind_all(trial_id);
  std::vector<EnvironmentEntry> entries;
  while (query.step()) entries.push_back({query.column_text(0), query.column_text(1)});
  return entries;
}

}  // namespace mose::db::sqlite

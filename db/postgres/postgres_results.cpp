// PostgresStorage, part 3 of 4: reading results back. Metrics come for many
// trials in one query (the Pareto code and the GUI read thousands): the ids
// travel as one bigint[] parameter, '{3,17,42}'.
#include "db/postgres/postgres_storage.h"

namespace mose::db::postgres {
namespace {

std::string array_literal(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

}  // namespace

std::vector<MetricRecord> PostgresStorage::get_metrics(const std::vector<std::int64_t>& trial_ids) {
  if (trial_ids.empty()) return {};
  const Result found = connection_.exec(
      "SELECT trial_id, name, value FROM metrics WHERE trial_id = ANY($1::bigint[]) ORDER BY trial_id, name COLLATE "
      "\"C\"",
      Params::of(array_literal(trial_ids)));
  std::vector<MetricRecord> metrics;
  for (int row = 0; row < found.rows(); ++row) {
    metrics.push_back({found.int64(row, 0), found.text(row, 1), found.real(row, 2)});
  }
  return metrics;
}

// ORDER BY name uses the "C" collation so that the order is bytewise, as in
// SQLite, whatever locale the database was created with.
std::vector<CurvePoint> PostgresStorage::get_curves(std::int64_t trial_id) {
  const Result found = connection_.exec(
      "SELECT name, step, value FROM curves WHERE trial_id = $1::bigint ORDER BY name COLLATE \"C\", step",
      Params::of(trial_id));
  std::vector<CurvePoint> points;
  for (int row = 0; row < found.rows(); ++row) {
    points.push_back({found.text(row, 0), found.int64(row, 1), found.real(row, 2)});
  }
  return points;
}

std::vector<ArtifactRecord> PostgresStorage::get_artifacts(std::int64_t trial_id) {
  const Result found = connection_.exec(
      "SELECT kind, path, checksum, bytes, created FROM artifacts WHERE trial_id = $1::bigint "
      "ORDER BY kind COLLATE \"C\", path COLLATE \"C\"",
      Params::of(trial_id));
  std::vector<ArtifactRecord> artifacts;
  for (int row = 0; row < found.rows(); ++row) {
    artifacts.push_back({trial_id, found.text(row, 0), found.text(row, 1), found.text(row, 2), found.int64(row, 3),
                         found.real(row, 4)});
  }
  return artifacts;
}

std::vector<EnvironmentEntry> PostgresStorage::get_environment(std::int64_t trial_id) {
  const Result found =
      connection_.exec("SELECT key, value FROM environment WHERE trial_id = $1::bigint ORDER BY key COLLATE \"C\"",
                       Params::of(trial_id));
  std::vector<EnvironmentEntry> entries;
  for (int row = 0; row < found.rows(); ++row) entries.push_back({found.text(row, 0), found.text(row, 1)});
  return entries;
}

}  // namespace mose::db::postgres

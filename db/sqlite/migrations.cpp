#include "db/sqlite/migrations.h"

#include <string>

#include "base/errors.h"
#include "base/log.h"

namespace mose::db::sqlite {
namespace {

// Version 1: the initial schema. Timestamps are UTC unix seconds (REAL).
// Metric and curve values are REAL; SQLite stores NaN as NULL, so NULL there
// means NaN. Enumerations are TEXT with CHECK constraints so the file stays
// readable with the sqlite3 shell.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE studies (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  recipe_path TEXT NOT NULL,
  recipe_text TEXT NOT NULL,
  created     REAL NOT NULL
);

CREATE TABLE trials (
  id          INTEGER PRIMARY KEY,
  study_id    INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('train', 'eval')),
  status      TEXT NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'running', 'done', 'failed')),
  config      TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  parent_id   INTEGER REFERENCES trials(id),
  seed        INTEGER NOT NULL,
  created     REAL NOT NULL,
  started     REAL,
  finished    REAL,
  worker      TEXT,
  heartbeat   REAL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  error       TEXT,
  UNIQUE (study_id, config_hash)
);
CREATE INDEX trials_by_status ON trials(status, id);
CREATE INDEX trials_by_hash ON trials(config_hash, status);
CREATE INDEX trials_by_parent ON trials(parent_id);

CREATE TABLE metrics (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  value    REAL,
  PRIMARY KEY (trial_id, name)
) WITHOUT ROWID;

CREATE TABLE curves (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  step     INTEGER NOT NULL,
  value    REAL,
  PRIMARY KEY (trial_id, name, step)
) WITHOUT ROWID;

CREATE TABLE artifacts (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  kind     TEXT NOT NULL,
  path     TEXT NOT NULL,
  checksum TEXT NOT NULL,
  bytes    INTEGER NOT NULL,
  created  REAL NOT NULL,
  PRIMARY KEY (trial_id, kind, path)
) WITHOUT ROWID;

CREATE TABLE environment (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (trial_id, key)
) WITHOUT ROWID;
)sql";

void check_ordered(const Connection& connection, const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw DbError(connection.path() + ": migration list entry " + std::to_string(i) + " has version " +
                    std::to_string(migrations[i].version) + ", expected " + std::to_string(i + 1));
    }
  }
}

void check_not_newer(const Connection& connection, int found, int latest) {
  if (found > latest) {
    throw DbError(connection.path() + " has schema version " + std::to_string(found) +
                  ", newer than the latest this build knows (" + std::to_string(latest) +
                  "); open it with a newer mose");
  }
}

// Creating a fresh file is routine (debug); upgrading an existing one is worth
// a line in the log.
void apply(Connection& connection, const Migration& migration, int from) {
  const auto level = from == 0 ? log::Level::kDebug : log::Level::kInfo;
  if (level >= log::min_level()) {
    log::write(level, fmt::format("{}: schema migration {} ({})", connection.path(), migration.version,
                                  migration.description));
  }
  try {
    connection.exec(migration.sql);
  } catch (const DbError& error) {
    throw DbError(std::string(error.what()) + " (in schema migration " + std::to_string(migration.version) + ")");
  }
}

}  // namespace

const std::vector<Migration>& schema_migrations() {
  static const std::vector<Migration> migrations{
      {1, "studies, trials, metrics, curves, artifacts, environment", kSchemaV1},
  };
  return migrations;
}

int latest_schema_version() { return static_cast<int>(schema_migrations().size()); }

int read_schema_version(Connection& connection) {
  Statement query = connection.prepare("PRAGMA user_version");
  query.step();
  return static_cast<int>(query.column_int64(0));
}

int migrate(Connection& connection, const std::vector<Migration>& migrations) {
  check_ordered(connection, migrations);
  const int latest = static_cast<int>(migrations.size());
  // Cheap check first, so opening a current database takes no write lock.
  int version = read_schema_version(connection);
  check_not_newer(connection, version, latest);
  if (version == latest) return 0;

  Transaction transaction(connection, Transaction::Mode::kWrite);
  version = read_schema_version(connection);  // another process may have migrated meanwhile
  check_not_newer(connection, version, latest);
  const int from = version;
  for (const Migration& migration : migrations) {
    if (migration.version <= from) continue;
    apply(connection, migration, from);
  }
  // user_version lives in the file header and changes inside the transaction.
  connection.exec("PRAGMA user_version = " + std::to_string(latest));
  transaction.commit();
  return latest - from;
}

}  // namespace mose::db::sqlite

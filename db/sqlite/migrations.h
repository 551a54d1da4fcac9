// The SQLite schema as an ordered list of migrations. The database's version
// is PRAGMA user_version (0 for a fresh file); opening applies every newer
// migration in one write transaction, so a database is always at exactly one
// listed version, and two processes opening a fresh file cannot both migrate.
#pragma once

#include <string_view>
#include <vector>

#include "db/sqlite/connection.h"

namespace mose::db::sqlite {

struct Migration {
  int version;                   // 1, 2, 3, ... with no gaps
  std::string_view description;  // for the log
  std::string_view sql;          // one or more statements
};

// mose's schema, oldest first.
const std::vector<Migration>& schema_migrations();
int latest_schema_version();

int read_schema_version(Connection& connection);

// Brings the database up to the last version of `migrations` and returns how
// many migrations ran (0 when it was already current). Throws DbError naming
// the path and both versions if the database is newer than the list, and
// rolls everything back if any step fails.
int migrate(Connection& connection, const std::vector<Migration>& migrations);

}  // namespace mose::db::sqlite

// The PostgreSQL schema as an ordered list of migrations, one per SQLite
// migration of the same version and description (db/sqlite/migrations.h), in
// PostgreSQL's dialect. The version lives in the one-row table mose_schema;
// opening applies every newer migration in one transaction under an advisory
// lock, so workers connecting to a fresh database at once migrate it once.
#pragma once

#include <string_view>
#include <vector>

#include "db/postgres/connection.h"

namespace mose::db::postgres {

struct Migration {
  int version;                   // 1, 2, 3, ... with no gaps; same numbers as SQLite's
  std::string_view description;  // the SQLite migration's description
  std::string_view sql;          // one or more statements
};

const std::vector<Migration>& schema_migrations();
int latest_schema_version();

// 0 for a database mose has never used.
int read_schema_version(Connection& connection);

// Brings the database up to the last migration and returns how many ran.
// Throws DbError naming the server and both versions if the database is newer,
// and rolls everything back if any step fails.
int migrate(Connection& connection);

}  // namespace mose::db::postgres

// The schema every SQL backend stores, written once: each dialect only names
// its column types (Dialect::id_column, ...), and both render the same tables,
// constraints and indexes. Existing stores were created from these very texts
// (tests/db/schema_test.cpp pins them), so any change is a new migration.
#pragma once

#include <vector>

#include "db/sql/migrate.h"
#include "db/sql/session.h"

namespace mose::db::sql {

// mose's schema in `dialect`'s column types, oldest migration first.
std::vector<Migration> schema_migrations(const Dialect& dialect);

}  // namespace mose::db::sql

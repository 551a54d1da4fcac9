// The one schema-migration runner of the SQL backends (private to db/). The
// schema is a list of migrations 1, 2, 3, ... (db/sql/schema.h); a store keeps
// its version where its Session says; opening a store applies every
// newer migration in one transaction, under the dialect's schema lock, so a
// store is always at exactly one listed version and two processes opening a
// fresh store migrate it once.
#pragma once

#include <string>
#include <vector>

#include "db/sql/session.h"

namespace mose::db::sql {

struct Migration {
  int version = 0;            // 1, 2, 3, ... with no gaps
  std::string description{};  // for the log
  std::string sql{};          // one or more statements
};

// Brings the store up to the last version of `migrations` and returns how many
// migrations ran (0 when it was already current). Throws DbError naming the
// store if the list has a gap, if the store is newer than the list (naming both
// versions), or if a step fails, and then rolls every step of this run back.
int migrate(Session& session, const std::vector<Migration>& migrations);

// For a store opened read-only, which must not be changed: throws DbError naming
// the store unless it is at the last version of `migrations` (a store mose never
// used, such as an empty file, holds version 0: it is no study store).
void require_current(Session& session, const std::vector<Migration>& migrations);

}  // namespace mose::db::sql

#include "db/sql/migrate.h"

#include <fmt/format.h>

#include <string>

#include "base/errors.h"
#include "base/log.h"

namespace mose::db::sql {
namespace {

void check_ordered(const Session& session, const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw DbError(fmt::format("{}: migration list entry {} has version {}, expected {}", session.name(), i,
                                migrations[i].version, i + 1));
    }
  }
}

void check_not_newer(const Session& session, int found, int latest) {
  if (found > latest) {
    throw DbError(
        fmt::format("{} has schema version {}, newer than the latest this build knows ({}); open it "
                    "with a newer mose",
                    session.name(), found, latest));
  }
}

// Creating a fresh store is routine (debug); upgrading an existing one is worth
// a line in the log.
void apply(Session& session, const Migration& migration, int from) {
  const auto level = from == 0 ? log::Level::kDebug : log::Level::kInfo;
  if (level >= log::min_level()) {
    log::write(level,
               fmt::format("{}: schema migration {} ({})", session.name(), migration.version, migration.description));
  }
  try {
    session.run_script(migration.sql);
  } catch (const DbError& error) {
    throw DbError(std::string(error.what()) + " (in schema migration " + std::to_string(migration.version) + ")");
  }
}

}  // namespace

int migrate(Session& session, const std::vector<Migration>& migrations) {
  check_ordered(session, migrations);
  const int latest = static_cast<int>(migrations.size());
  // Cheap check first, so opening a current store takes no lock.
  int version = session.read_schema_version();
  check_not_newer(session, version, latest);
  if (version == latest) return 0;

  Transaction transaction(session);
  session.lock_schema();
  version = session.read_schema_version();  // another process may have migrated meanwhile
  check_not_newer(session, version, latest);
  const int from = version;
  for (const Migration& migration : migrations) {
    if (migration.version > from) apply(session, migration, from);
  }
  session.write_schema_version(latest);
  transaction.commit();
  return latest - from;
}

void require_current(Session& session, const std::vector<Migration>& migrations) {
  check_ordered(session, migrations);
  const int latest = static_cast<int>(migrations.size());
  const int version = session.read_schema_version();
  check_not_newer(session, version, latest);
  if (version == 0) {
    throw DbError(
        fmt::format("{} is not a mose study store: it holds no mose schema (it is empty, or another "
                    "program's {}); give a store that mose-study run wrote",
                    session.name(), session.dialect().store_noun));
  }
  if (version < latest) {
    throw DbError(
        fmt::format("{} has schema version {}, older than this build's ({}), and was opened read-only; "
                    "running a recipe into it (mose-study run or worker) upgrades it",
                    session.name(), version, latest));
  }
}

}  // namespace mose::db::sql

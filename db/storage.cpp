#include "db/storage.h"

#include "base/errors.h"
#include "db/postgres/postgres_storage.h"
#include "db/sqlite/sqlite_storage.h"
#include "db/storage_url.h"

namespace mose::db {

AddedTrial Storage::add_trial(std::int64_t study_id, const NewTrial& trial) {
  return add_trials(study_id, {trial}).front();
}

std::unique_ptr<Storage> open_storage(const std::string& url, const StorageOptions& options) {
  const StorageUrl parsed = parse_storage_url(url);
  switch (parsed.backend) {
    case Backend::kSqlite: return std::make_unique<sqlite::SqliteStorage>(parsed.location, options);
    case Backend::kPostgres: return std::make_unique<postgres::PostgresStorage>(parsed.location, options);
  }
  throw DbError("storage URL '" + url + "': unhandled backend");
}

}  // namespace mose::db

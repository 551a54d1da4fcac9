#include "db/storage.h"

#include "base/errors.h"
#include "db/postgres/session.h"
#include "db/reconnecting_storage.h"
#include "db/sql/sql_storage.h"
#include "db/sqlite/session.h"
#include "db/storage_url.h"

namespace mose::db {

AddedTrial Storage::add_trial(std::int64_t study_id, const NewTrial& trial) {
  return add_trials(study_id, {trial}).front();
}

std::unique_ptr<Storage> open_storage(const std::string& url, const StorageOptions& options) {
  const StorageUrl parsed = parse_storage_url(url);
  switch (parsed.backend) {
    case Backend::kSqlite:
      return std::make_unique<sql::SqlStorage>(
          sqlite::open_session(parsed.location, options.busy_timeout_s, options.read_only), options.clock,
          options.read_only);
    case Backend::kPostgres: {
      const auto open = [location = parsed.location, options]() -> std::unique_ptr<Storage> {
        return std::make_unique<sql::SqlStorage>(
            postgres::open_session(location, options.busy_timeout_s, options.read_only), options.clock,
            options.read_only);
      };
      if (options.reconnect_timeout_s <= 0) return open();
      return std::make_unique<ReconnectingStorage>(open, options.reconnect_timeout_s, options.cancel_reconnect);
    }
  }
  throw DbError("storage URL '" + url + "': unhandled backend");
}

}  // namespace mose::db

// Parsing of storage URLs (see open_storage in db/storage.h for the accepted
// forms), kept apart from opening so it can be checked without touching disk.
#pragma once

#include <string>

namespace mose::db {

enum class Backend { kSqlite, kPostgres };

struct StorageUrl {
  Backend backend = Backend::kSqlite;
  std::string location;  // SQLite: a file path; PostgreSQL: the URL as given
};

// Throws DbError quoting `url` and listing the accepted forms when it is
// neither a plain path nor one of the known schemes.
StorageUrl parse_storage_url(const std::string& url);

}  // namespace mose::db

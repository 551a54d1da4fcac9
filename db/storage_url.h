// Parsing of storage URLs (see open_storage in db/storage.h for the accepted
// forms), kept apart from opening so it can be checked without touching disk.
#pragma once

#include <optional>
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

// A PostgreSQL URL's password: the one in its user info (user:password@) or in a
// password= parameter (which libpq prefers), percent-decoded as libpq reads it;
// nullopt when it has none, and for any other URL.
std::optional<std::string> url_password(const std::string& url);

// The URL without its password (user info and password= parameters), for files and
// output that must not hold secrets: libpq then takes the password from PGPASSWORD or
// ~/.pgpass. Other URLs come back unchanged.
std::string url_without_password(const std::string& url);

}  // namespace mose::db

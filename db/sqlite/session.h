// SQLite's side of the shared SQL storage (db/sql/session.h): one database file
// shared by any number of worker processes. The connection runs in WAL mode
// (readers never block the one writer), with foreign keys on and a busy
// timeout; every write transaction is BEGIN IMMEDIATE.
#pragma once

#include <memory>
#include <string>

#include "db/sql/session.h"

namespace mose::db::sqlite {

// Opens or creates the database file at `path`, whose writes wait up to
// `busy_timeout_s` for other processes' locks. Throws DbError naming the path
// if it cannot be used. `read_only`: opens an existing file without changing it
// or its journal mode (sqlite/connection.h, OpenMode::kReadOnly).
std::unique_ptr<sql::Session> open_session(const std::string& path, double busy_timeout_s, bool read_only = false);

}  // namespace mose::db::sqlite

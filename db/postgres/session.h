// PostgreSQL's side of the shared SQL storage (db/sql/session.h): one database
// shared by workers on any number of machines. Each write transaction is READ
// COMMITTED; claims lock the rows they pick with FOR UPDATE SKIP LOCKED
// (db/sql/sql_leases.cpp).
#pragma once

#include <memory>
#include <string>

#include "db/sql/session.h"

namespace mose::db::postgres {

// Connects to `url` (postgresql://...), waiting at most `timeout_s` for the
// server and, later, for other sessions' locks. Throws DbError naming the
// server (never the password) if it cannot be used. `read_only`: every
// transaction of the session is READ ONLY, so the server refuses any write.
std::unique_ptr<sql::Session> open_session(const std::string& url, double timeout_s, bool read_only = false);

}  // namespace mose::db::postgres

// The one RAII wrapper around libpq (private to db/): a connection that runs
// statements with the shared parameters and returns the shared rows
// (db/sql/params.h, db/sql/rows.h). libpq-fe.h stays in connection.cpp; this
// header only forward-declares libpq's handle type.
//
// Every query is parameterised ($1, $2, ... bound from sql::Params, sent as
// text with their types); SQL text never carries values. Every failure throws
// DbError with the server (password hidden), what was being done and the
// server's message and SQLSTATE; ConnectionLost (db/storage.h) when the connection
// itself broke, so that the storage above can reconnect. A Connection must not cross fork(): a child
// process opens its own.
#pragma once

#include <string>
#include <string_view>

#include "db/sql/params.h"
#include "db/sql/rows.h"

struct pg_conn;

namespace mose::db::postgres {

class Connection {
 public:
  // Connects to `url` (postgresql://user:password@host:port/dbname?...); waits
  // at most `timeout_s` for the connection and, later, for row locks held by
  // other sessions (lock_timeout), so a stuck peer becomes an error, not a hang.
  Connection(const std::string& url, double timeout_s);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters; every row it returned.
  sql::Rows exec(std::string_view sql, const sql::Params& params = {});
  // One or more ';'-separated statements without parameters (schema scripts).
  void exec_script(std::string_view sql);

  // "postgresql://user@host:port/dbname", never the password.
  const std::string& describe() const { return describe_; }
  // True once the connection to the server is gone (it then throws ConnectionLost).
  bool broken() const;

 private:
  pg_conn* connection_ = nullptr;
  std::string describe_;
};

// `url` with any password replaced by "***", for messages.
std::string redact_password(std::string_view url);

}  // namespace mose::db::postgres

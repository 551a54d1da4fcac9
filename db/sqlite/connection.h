// The one RAII wrapper around SQLite's C API (private to db/): a connection,
// prepared statements with bind/step/column helpers (and the shared $1, $2, ...
// parameters and rows of db/sql/), and a transaction guard that rolls back
// unless committed. sqlite3.h stays in connection.cpp; this header only
// forward-declares SQLite's handle types.
//
// Every failure throws DbError with the database path, what was being done
// and SQLite's own message. A Connection must not cross fork(): a child
// process opens its own.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "db/sql/params.h"
#include "db/sql/rows.h"
#include "db/sql/transaction.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mose::db::sqlite {

class Statement;

// kWrite is BEGIN IMMEDIATE: the write lock is taken up front, so two writers
// never deadlock upgrading read locks; if another process holds it, we wait
// (busy timeout, then retries) up to the connection's busy timeout.
enum class TransactionMode { kRead, kWrite };

// kReadOnly never creates the file nor writes to it (writes fail with a DbError). A
// store in WAL mode needs its -shm file even to be read; when its folder cannot hold
// one (a read-only filesystem, a folder without write permission) the file is read as
// immutable, which is sound because nothing can be writing it there either.
enum class OpenMode { kReadWrite, kReadOnly };

class Connection {
 public:
  // Opens (kReadWrite: or creates) the file at `path` and sets the busy timeout; no
  // pragmas beyond that (the storage decides journal mode and foreign keys).
  Connection(std::string path, double busy_timeout_s, OpenMode mode = OpenMode::kReadWrite);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more ';'-separated statements that take no parameters.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  // Sets the journal mode ("WAL", ...) and returns the mode SQLite reports,
  // lowercase; waits up to the busy timeout for other processes' locks.
  std::string set_journal_mode(std::string_view mode);
  bool in_transaction() const;

  void begin(TransactionMode mode);
  void commit();
  // Rolls back the open transaction, if SQLite has not already (it does on its
  // own after SQLITE_FULL, say); logs a failure instead of throwing.
  void rollback() noexcept;

  const std::string& path() const { return path_; }

  // Throws DbError for SQLite result code `rc` while doing `what`.
  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  friend class Statement;
  void open(const std::string& name, int flags);
  void open_read_only();
  void begin_immediate();
  std::string path_;
  double busy_timeout_s_;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Connection& connection, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Parameters are 1-based, as in SQL's ?1, ?2, ...
  void bind(int index, std::nullopt_t);
  void bind(int index, double value);
  void bind(int index, std::string_view value);
  template <std::integral T>
  void bind(int index, T value) {
    bind_int64(index, static_cast<std::int64_t>(value));
  }
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index, std::nullopt);
    }
  }
  // Binds the arguments to ?1, ?2, ... in order.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int index = 1;
    (bind(index++, args), ...);
    return *this;
  }
  // Binds the named parameters $1, $2, ... of a shared statement (db/sql/params.h)
  // from `params`; throws DbError for any other parameter or a $N past the last
  // of `params`. Parameters the statement does not use are ignored.
  Statement& bind_params(const sql::Params& params);

  // Advances to the next row: true while a row is available, false when done.
  bool step();
  // Steps to completion for a statement that returns no rows we need.
  void run();
  // Rewinds so the statement can run again; bindings are kept.
  void reset();
  // Steps to completion, keeping every row.
  sql::Rows fetch_all();

  // Columns are 0-based. NULL reads as 0, 0.0, "" or nullopt.
  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<double> column_optional_double(int column) const;

 private:
  void bind_int64(int index, std::int64_t value);
  void bind_param(int index, const sql::Param& param);
  void check_bind(int rc, int index);
  Connection* connection_;
  sqlite3_stmt* statement_ = nullptr;
};

using Transaction = sql::BasicTransaction<Connection>;

}  // namespace mose::db::sqlite

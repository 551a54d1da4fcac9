// The one RAII wrapper around libpq (private to db/): a connection, query
// results, text-format parameters, and a transaction guard that rolls back
// unless committed. libpq-fe.h stays in connection.cpp; this header only
// forward-declares libpq's handle types.
//
// Every query is parameterised ($1, $2, ... bound from Params); SQL text never
// carries values. Every failure throws DbError with the server (password
// hidden), what was being done and the server's message and SQLSTATE. A
// Connection must not cross fork(): a child process opens its own.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace mose::db::postgres {

// Query parameters in libpq's text format, in order ($1, $2, ...); nullopt is NULL.
// Doubles are written in their shortest round-trip form (NaN as 'NaN'), which
// float8in reads back to the same bits.
class Params {
 public:
  Params() = default;
  template <typename... Args>
  static Params of(const Args&... args) {
    Params params;
    (params.add(args), ...);
    return params;
  }

  Params& add(std::nullopt_t);
  Params& add(double value);
  Params& add(std::string_view value);
  Params& add(const std::string& value) { return add(std::string_view(value)); }
  Params& add(const char* value) { return add(std::string_view(value)); }
  template <std::integral T>
  Params& add(T value) {
    return add_int64(static_cast<std::int64_t>(value));
  }
  template <typename T>
  Params& add(const std::optional<T>& value) {
    if (value) return add(*value);
    return add(std::nullopt);
  }

  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  Params& add_int64(std::int64_t value);
  std::vector<std::optional<std::string>> values_;
};

// A query's rows; columns are 0-based. NULL reads as 0, 0.0, "" or nullopt.
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;

  int rows() const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  double real(int row, int column) const;  // NULL reads as NaN (how SQLite keeps NaN)
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  std::optional<double> optional_real(int row, int column) const;

 private:
  pg_result* result_ = nullptr;
};

class Connection {
 public:
  // Connects to `url` (postgresql://user:password@host:port/dbname?...); waits
  // at most `timeout_s` for the connection and, later, for row locks held by
  // other sessions (lock_timeout), so a stuck peer becomes an error, not a hang.
  Connection(const std::string& url, double timeout_s);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters.
  Result exec(std::string_view sql, const Params& params = {});
  // One or more ';'-separated statements without parameters (schema scripts).
  void exec_script(std::string_view sql);
  bool in_transaction() const;

  // "postgresql://user@host:port/dbname", never the password.
  const std::string& describe() const { return describe_; }

 private:
  pg_conn* connection_ = nullptr;
  std::string describe_;
};

// BEGIN on construction, ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

// `url` with any password replaced by "***", for messages.
std::string redact_password(std::string_view url);

}  // namespace mose::db::postgres

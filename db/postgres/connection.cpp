#include "db/postgres/connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "base/errors.h"
#include "base/log.h"
#include "db/sql/sql_text.h"

namespace mose::db::postgres {
namespace {

using sql::excerpt;

// libpq messages end with a newline; messages here are one line.
std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool succeeded(const PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

[[noreturn]] void fail_query(const std::string& server, std::string_view sql, PGconn* connection, PGresult* result) {
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : trimmed(PQerrorMessage(connection));
  if (message.empty()) message = trimmed(PQerrorMessage(connection));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  PQclear(result);
  throw DbError(fmt::format("{}: running '{}': {}{}", server, excerpt(sql), message,
                            state ? fmt::format(" (SQLSTATE {})", state) : std::string()));
}

template <typename T>
T parse_number(const char* text, std::string_view what) {
  T value{};
  const std::string_view s(text);
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size()) {
    throw DbError(fmt::format("PostgreSQL returned '{}' where {} was expected", s, what));
  }
  return value;
}

}  // namespace

// ---------------------------------------------------------------- Params

Params& Params::add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::add(double value) {
  if (std::isnan(value)) {
    values_.emplace_back("NaN");
  } else if (std::isinf(value)) {
    values_.emplace_back(value > 0 ? "Infinity" : "-Infinity");
  } else {
    values_.emplace_back(fmt::format("{}", value));  // shortest form that reads back exactly
  }
  return *this;
}

Params& Params::add(std::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

Params& Params::add_int64(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

// ---------------------------------------------------------------- Result

Result::~Result() { PQclear(result_); }

Result::Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }

int Result::rows() const { return PQntuples(result_); }

std::int64_t Result::affected() const {
  const char* count = PQcmdTuples(result_);
  return count && *count ? parse_number<std::int64_t>(count, "a row count") : 0;
}

bool Result::is_null(int row, int column) const { return PQgetisnull(result_, row, column) == 1; }

std::string Result::text(int row, int column) const {
  if (is_null(row, column)) return {};
  return std::string(PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t Result::int64(int row, int column) const { return optional_int64(row, column).value_or(0); }

double Result::real(int row, int column) const {
  return optional_real(row, column).value_or(std::numeric_limits<double>::quiet_NaN());
}

std::optional<std::int64_t> Result::optional_int64(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return parse_number<std::int64_t>(PQgetvalue(result_, row, column), "an integer");
}

// float8out writes NaN, Infinity and -Infinity; from_chars reads all three.
std::optional<double> Result::optional_real(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return parse_number<double>(PQgetvalue(result_, row, column), "a number");
}

// ---------------------------------------------------------------- Connection

Connection::Connection(const std::string& url, double timeout_s) {
  constexpr double kMaxTimeoutS = 24 * 3600;
  const std::string shown = redact_password(url);
  if (!(timeout_s >= 0.0 && timeout_s <= kMaxTimeoutS)) {
    throw DbError(fmt::format("{}: timeout must be between 0 and {} s, got {}", shown, kMaxTimeoutS, timeout_s));
  }
  // libpq takes the URL as "dbname" with expand_dbname; the keywords after it
  // fill what the URL leaves out. connect_timeout is whole seconds, at least 2.
  const std::string connect_timeout = std::to_string(std::max(2, static_cast<int>(std::ceil(timeout_s))));
  const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), connect_timeout.c_str(), "mose", nullptr};
  connection_ = PQconnectdbParams(keywords, values, 1);
  if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = connection_ ? trimmed(PQerrorMessage(connection_)) : "out of memory";
    PQfinish(connection_);
    connection_ = nullptr;
    throw DbError(fmt::format("{}: cannot connect to PostgreSQL: {}", shown, message));
  }
  const char* host = PQhost(connection_);
  describe_ = fmt::format("postgresql://{}@{}:{}/{}", PQuser(connection_), host ? host : "", PQport(connection_),
                          PQdb(connection_));
  // Notices (e.g. "relation already exists, skipping") go to the debug log, not stderr.
  PQsetNoticeProcessor(
      connection_, [](void*, const char* message) { log::debug("postgresql: {}", trimmed(message)); }, nullptr);
  exec("SELECT set_config('lock_timeout', $1, false)",
       Params::of(std::to_string(static_cast<long long>(timeout_s * 1000.0)) + "ms"));
}

Connection::~Connection() { PQfinish(connection_); }

Result Connection::exec(std::string_view sql, const Params& params) {
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& value : params.values()) values.push_back(value ? value->c_str() : nullptr);
  PGresult* result = PQexecParams(connection_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                  nullptr, nullptr, 0);
  if (!succeeded(result)) fail_query(describe_, sql, connection_, result);
  return Result(result);
}

void Connection::exec_script(std::string_view sql) {
  const std::string text(sql);
  PGresult* result = PQexec(connection_, text.c_str());
  if (!succeeded(result)) fail_query(describe_, sql, connection_, result);
  PQclear(result);
}

bool Connection::in_transaction() const { return PQtransactionStatus(connection_) != PQTRANS_IDLE; }

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.exec("BEGIN");
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    connection_.exec("ROLLBACK");
  } catch (const DbError& error) {
    // A destructor cannot throw; the server rolls back when the connection closes.
    log::warn("{}", error.what());
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  open_ = false;
}

// ---------------------------------------------------------------- messages

std::string redact_password(std::string_view url) {
  std::string out(url);
  // postgresql://user:password@host -> postgresql://user:***@host
  const std::size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t start = scheme_end + 3;
    const std::size_t at = out.find('@', start);
    const std::size_t slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ...?password=secret&... -> ...?password=***&...
  for (std::size_t key = out.find("password="); key != std::string::npos; key = out.find("password=", key + 1)) {
    const std::size_t value = key + std::string_view("password=").size();
    const std::size_t end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

}  // namespace mose::db::postgres

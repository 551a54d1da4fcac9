#include "db/postgres/connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "base/errors.h"
#include "base/log.h"
#include "db/sql/sql_text.h"
#include "db/storage.h"

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

// SQLSTATE class 08 is a connection exception; 57P01-57P03 are the server shutting
// down or not yet accepting connections (a restart).
bool connection_state(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

[[noreturn]] void fail_query(const std::string& server, std::string_view sql, PGconn* connection, PGresult* result) {
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : trimmed(PQerrorMessage(connection));
  if (message.empty()) message = trimmed(PQerrorMessage(connection));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const bool lost = PQstatus(connection) == CONNECTION_BAD || (state != nullptr && connection_state(state));
  const std::string text = fmt::format("{}: running '{}': {}{}", server, excerpt(sql), message,
                                       state ? fmt::format(" (SQLSTATE {})", state) : std::string());
  PQclear(result);
  if (lost) throw ConnectionLost(text);
  throw DbError(text);
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

// Type OIDs (PostgreSQL's catalog/pg_type.dat; fixed across versions).
constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26, kFloat4 = 700, kFloat8 = 701;

Oid type_oid(sql::ParamType type) {
  switch (type) {
    case sql::ParamType::kInteger: return kInt8;
    case sql::ParamType::kReal: return kFloat8;
    case sql::ParamType::kText: return kText;
  }
  return 0;  // not reached: every ParamType is listed
}

// A parameter in libpq's text format; nullopt is NULL. Doubles are written in
// their shortest round-trip form (NaN as 'NaN'), which float8in reads back to
// the same bits.
std::optional<std::string> text_of(const sql::Param& param) {
  if (const auto* integer = std::get_if<std::int64_t>(&param.value)) return std::to_string(*integer);
  if (const auto* text = std::get_if<std::string>(&param.value)) return *text;
  if (const auto* real = std::get_if<double>(&param.value)) {
    if (std::isnan(*real)) return "NaN";
    if (std::isinf(*real)) return *real > 0 ? "Infinity" : "-Infinity";
    return fmt::format("{}", *real);
  }
  return std::nullopt;
}

// Appends one cell of a text-format result, typed by its column's OID.
// float8out writes NaN, Infinity and -Infinity; from_chars reads all three.
void add_cell(sql::Rows& rows, const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column) == 1) return rows.add_null();
  const char* value = PQgetvalue(result, row, column);
  switch (PQftype(result, column)) {
    case kInt8:
    case kInt2:
    case kInt4:
    case kOid: return rows.add(parse_number<std::int64_t>(value, "an integer"));
    case kFloat4:
    case kFloat8: return rows.add(parse_number<double>(value, "a number"));
    default: return rows.add(std::string(value, static_cast<std::size_t>(PQgetlength(result, row, column))));
  }
}

sql::Rows rows_of(const PGresult* result) {
  const int columns = PQnfields(result);
  sql::Rows rows(columns);
  const int count = PQntuples(result);
  for (int row = 0; row < count; ++row) {
    for (int column = 0; column < columns; ++column) add_cell(rows, result, row, column);
  }
  return rows;
}

}  // namespace

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
       sql::Params::of(std::to_string(static_cast<long long>(timeout_s * 1000.0)) + "ms"));
}

Connection::~Connection() { PQfinish(connection_); }

bool Connection::broken() const { return PQstatus(connection_) == CONNECTION_BAD; }

sql::Rows Connection::exec(std::string_view sql, const sql::Params& params) {
  const std::string text(sql);
  std::vector<std::optional<std::string>> texts;
  std::vector<Oid> types;
  for (const sql::Param& param : params.values()) {
    texts.push_back(text_of(param));
    types.push_back(type_oid(param.type));
  }
  std::vector<const char*> values;
  for (const auto& value : texts) values.push_back(value ? value->c_str() : nullptr);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexecParams(connection_, text.c_str(), static_cast<int>(values.size()), types.data(), values.data(), nullptr,
                   nullptr, 0),
      PQclear);
  if (!succeeded(result.get())) fail_query(describe_, sql, connection_, result.release());
  return rows_of(result.get());
}

void Connection::exec_script(std::string_view sql) {
  const std::string text(sql);
  PGresult* result = PQexec(connection_, text.c_str());
  if (!succeeded(result)) fail_query(describe_, sql, connection_, result);
  PQclear(result);
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

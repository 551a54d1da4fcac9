#include "db/sqlite/connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <thread>
#include <type_traits>
#include <variant>

#include "base/errors.h"
#include "base/log.h"
#include "db/sql/sql_text.h"

namespace mose::db::sqlite {
namespace {

using sql::excerpt;

std::string cannot_open_hint(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    return " (directory " + parent.string() + " does not exist)";
  }
  return "";
}

// Runs `attempt` (returning an SQLite result code) again while it fails with
// SQLITE_BUSY, until `timeout_s` has passed; returns the last code. The busy
// handler already waits for most locks, but SQLite returns SQLITE_BUSY without
// calling it in a few cases: switching a fresh file to WAL while another
// process does the same, or another connection recovering the WAL after a crash.
template <typename Attempt>
int retry_while_busy(double timeout_s, Attempt&& attempt) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    const int rc = attempt();
    if ((rc & 0xff) != SQLITE_BUSY || Clock::now() >= deadline) return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A file: URI for `path` with `query` (SQLite's URI filenames): the characters a URI
// gives meaning to are percent-encoded, so any path names itself.
std::string file_uri(const std::string& path, std::string_view query) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return uri + "?" + std::string(query);
}

// sqlite3_exec callback keeping the first column of the first row.
int keep_first_value(void* out, int columns, char** values, char** /*names*/) {
  auto* first = static_cast<std::optional<std::string>*>(out);
  if (!*first && columns > 0 && values[0] != nullptr) *first = values[0];
  return 0;
}

}  // namespace

// ---------------------------------------------------------------- Connection

Connection::Connection(std::string path, double busy_timeout_s, OpenMode mode)
    : path_(std::move(path)), busy_timeout_s_(busy_timeout_s) {
  constexpr double kMaxBusyTimeoutS = 24 * 3600;  // far beyond any sane wait, and fits sqlite3_busy_timeout's int ms
  if (!(busy_timeout_s >= 0.0 && busy_timeout_s <= kMaxBusyTimeoutS)) {
    throw DbError(
        fmt::format("{}: busy timeout must be between 0 and {} s, got {}", path_, kMaxBusyTimeoutS, busy_timeout_s));
  }
  if (mode == OpenMode::kReadOnly) {
    open_read_only();
  } else {
    open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  }
}

void Connection::open(const std::string& name, int flags) {
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(path_ + ": cannot open database: " + message + cannot_open_hint(path_));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout_s_ * 1000.0));
}

// SQLite opens lazily: the first read is what needs the -shm file of a WAL store, so
// it is made here. It fails with SQLITE_CANTOPEN when the -shm file is absent and
// cannot be created; no process can then hold the store open for writing (a writer
// keeps its -shm file while it runs), so it is read as immutable, without the -shm.
// Immutable reading ignores the -wal file, so a -wal holding transactions not yet copied
// into the database file (a study copied while it ran) is an error: read without it,
// the study would look older than it is.
void Connection::open_read_only() {
  constexpr int kFlags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
  open(file_uri(path_, "mode=ro"), kFlags);
  const int rc = sqlite3_exec(db_, "SELECT COUNT(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if ((rc & 0xff) != SQLITE_CANTOPEN) {
    if (rc != SQLITE_OK) fail(rc, "reading the schema");
    return;
  }
  sqlite3_close_v2(db_);
  db_ = nullptr;
  const std::string wal = path_ + "-wal";
  std::error_code error;
  const std::uintmax_t wal_bytes = std::filesystem::file_size(wal, error);
  if (!error && wal_bytes > 0) {
    throw DbError(fmt::format(
        "{}: cannot read it here: {} holds {} bytes of transactions not yet in the database file, and SQLite cannot "
        "read them without a -shm file, which this folder cannot hold; copy the study folder (with its -wal) "
        "somewhere writable and read it there",
        path_, wal, wal_bytes));
  }
  open(file_uri(path_, "mode=ro&immutable=1"), kFlags);
  log::debug("{}: reading as immutable (its folder cannot hold SQLite's -shm file)", path_);
}

Connection::~Connection() {
  // sqlite3_close_v2 defers the close until every statement is finalized;
  // Statements are RAII, so by now there are none.
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, "running '" + excerpt(sql) + "'");
}

std::string Connection::set_journal_mode(std::string_view mode) {
  const std::string sql = "PRAGMA journal_mode = " + std::string(mode);
  std::optional<std::string> result;
  const int rc = retry_while_busy(busy_timeout_s_, [&] {
    result.reset();
    return sqlite3_exec(db_, sql.c_str(), keep_first_value, &result, nullptr);
  });
  if (rc != SQLITE_OK) fail(rc, "running '" + sql + "'");
  return result.value_or("");
}

Statement Connection::prepare(std::string_view sql) { return Statement(*this, sql); }

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Connection::begin(TransactionMode mode) {
  if (mode == TransactionMode::kWrite) {
    begin_immediate();
  } else {
    exec("BEGIN DEFERRED");
  }
}

void Connection::begin_immediate() {
  int tries = 0;
  const int rc = retry_while_busy(busy_timeout_s_, [&] {
    ++tries;
    return sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  });
  if (rc != SQLITE_OK) fail(rc, fmt::format("BEGIN IMMEDIATE ({} tries, busy timeout {} s)", tries, busy_timeout_s_));
}

void Connection::commit() { exec("COMMIT"); }

void Connection::rollback() noexcept {
  if (!in_transaction()) return;
  if (sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) {
    log::error("{}: ROLLBACK failed: {}", path_, sqlite3_errmsg(db_));
  }
}

void Connection::fail(int rc, std::string_view what) const {
  const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  const std::string code = " (SQLite code " + std::to_string(rc) + ")";
  if ((rc & 0xff) == SQLITE_NOTADB) {
    throw DbError(path_ + " is not a SQLite database (or is corrupt or encrypted): " + std::string(what) + ": " +
                  message + code);
  }
  throw DbError(path_ + ": " + std::string(what) + ": " + message + code);
}

// ---------------------------------------------------------------- Statement

Statement::Statement(Connection& connection, std::string_view sql) : connection_(&connection) {
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(connection.db_, sql.data(), static_cast<int>(sql.size()), &statement_, &tail);
  if (rc != SQLITE_OK) connection.fail(rc, "preparing '" + excerpt(sql) + "'");
  if (statement_ == nullptr) throw DbError(connection.path() + ": empty SQL statement");
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (!excerpt(rest).empty()) {
    sqlite3_finalize(statement_);
    throw DbError(connection.path() + ": prepare takes one statement, got more: '" + excerpt(sql) + "'");
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement::Statement(Statement&& other) noexcept : connection_(other.connection_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) {
    connection_->fail(rc, "binding ?" + std::to_string(index) + " of '" + excerpt(sqlite3_sql(statement_)) + "'");
  }
}

void Statement::bind(int index, std::nullopt_t) { check_bind(sqlite3_bind_null(statement_, index), index); }

void Statement::bind(int index, double value) { check_bind(sqlite3_bind_double(statement_, index, value), index); }

void Statement::bind(int index, std::string_view value) {
  check_bind(sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

void Statement::bind_int64(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(statement_, index, value), index);
}

void Statement::bind_param(int index, const sql::Param& param) {
  std::visit(
      [&](const auto& value) {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::monostate>) {
          bind(index, std::nullopt);
        } else {
          bind(index, value);
        }
      },
      param.value);
}

// SQLite numbers named parameters in order of first appearance, so "$2 ... $1"
// makes "$2" index 1: each is bound by the number in its name.
Statement& Statement::bind_params(const sql::Params& params) {
  const int count = sqlite3_bind_parameter_count(statement_);
  for (int index = 1; index <= count; ++index) {
    const char* name = sqlite3_bind_parameter_name(statement_, index);
    const std::string_view text = name ? name : "?";
    std::size_t number = 0;
    const auto [end, error] = std::from_chars(text.data() + 1, text.data() + text.size(), number);
    if (text[0] != '$' || error != std::errc() || end != text.data() + text.size() || number == 0 ||
        number > params.size()) {
      throw DbError(fmt::format("{}: '{}' uses parameter {}, but {} parameters ($1, $2, ...) were given",
                                connection_->path(), excerpt(sqlite3_sql(statement_)), text, params.size()));
    }
    bind_param(index, params.values()[number - 1]);
  }
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  connection_->fail(rc, "running '" + excerpt(sqlite3_sql(statement_)) + "'");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() { sqlite3_reset(statement_); }

sql::Rows Statement::fetch_all() {
  const int columns = sqlite3_column_count(statement_);
  sql::Rows rows(columns);
  while (step()) {
    for (int column = 0; column < columns; ++column) {
      switch (sqlite3_column_type(statement_, column)) {
        case SQLITE_NULL: rows.add_null(); break;
        case SQLITE_INTEGER: rows.add(column_int64(column)); break;
        case SQLITE_FLOAT: rows.add(column_double(column)); break;
        default: rows.add(column_text(column)); break;  // TEXT, or a BLOB as its bytes
      }
    }
  }
  return rows;
}

bool Statement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  const int bytes = sqlite3_column_bytes(statement_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::optional<double> Statement::column_optional_double(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_double(column);
}

}  // namespace mose::db::sqlite

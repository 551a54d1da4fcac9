#include "db/sqlite/connection.h"

#include <catch2/catch.hpp>

#include <stdexcept>

#include "base/errors.h"
#include "db_test_support.h"

using namespace mose::db::sqlite;
using mose::db::sql::Params;
using mose::db::testing::MessageContains;
using mose::db::testing::TempDir;

namespace {

std::int64_t count_rows(Connection& connection) {
  Statement count = connection.prepare("SELECT COUNT(*) FROM t");
  count.step();
  return count.column_int64(0);
}

}  // namespace

TEST_CASE("statements bind and read integers, reals, text and NULL", "[db][sqlite][connection]") {
  TempDir dir;
  Connection connection(dir.file("values.db"), 1.0);
  connection.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n INTEGER)");
  const std::string text = std::string("caf\xc3\xa9 with a \0 inside", 21);
  connection.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
      .bind_all(std::int64_t{1} << 40, 0.125, text, std::optional<std::int64_t>{})
      .run();
  Statement row = connection.prepare("SELECT i, r, s, n FROM t");
  REQUIRE(row.step());
  CHECK(row.column_int64(0) == (std::int64_t{1} << 40));
  CHECK(row.column_double(1) == 0.125);
  CHECK(row.column_text(2) == text);
  CHECK(row.is_null(3));
  CHECK_FALSE(row.column_optional_int64(3).has_value());
  CHECK(row.column_optional_double(1) == 0.125);
  CHECK_FALSE(row.step());
}

TEST_CASE("shared statements bind $1, $2, ... by number, whatever order they appear in", "[db][sqlite][connection]") {
  TempDir dir;
  const std::string path = dir.file("named.db");
  Connection connection(path, 1.0);
  connection.exec("CREATE TABLE t (a TEXT, b INTEGER)");
  connection.prepare("INSERT INTO t (b, a) VALUES ($2, $1)").bind_params(Params::of("one", 1)).run();
  const mose::db::sql::Rows rows = connection.prepare("SELECT a, b FROM t").fetch_all();
  REQUIRE(rows.rows() == 1);
  CHECK(rows.text(0, 0) == "one");
  CHECK(rows.int64(0, 1) == 1);
  CHECK_THROWS_MATCHES(connection.prepare("SELECT * FROM t WHERE b = ?1").bind_params(Params::of(1)), mose::DbError,
                       MessageContains({path, "uses parameter ?1, but 1 parameters ($1, $2, ...) were given"}));
  CHECK_THROWS_MATCHES(connection.prepare("SELECT * FROM t WHERE b = $3").bind_params(Params::of(1)), mose::DbError,
                       MessageContains({path, "uses parameter $3"}));
}

TEST_CASE("a transaction rolls back unless committed", "[db][sqlite][connection]") {
  TempDir dir;
  Connection connection(dir.file("tx.db"), 1.0);
  connection.exec("CREATE TABLE t (x INTEGER)");
  {
    Transaction transaction(connection, TransactionMode::kWrite);
    connection.exec("INSERT INTO t VALUES (1)");
  }
  CHECK(count_rows(connection) == 0);
  CHECK_FALSE(connection.in_transaction());

  CHECK_THROWS_AS(
      [&] {
        Transaction transaction(connection, TransactionMode::kWrite);
        connection.exec("INSERT INTO t VALUES (2)");
        throw std::runtime_error("work failed half-way");
      }(),
      std::runtime_error);
  CHECK(count_rows(connection) == 0);

  {
    Transaction transaction(connection, TransactionMode::kWrite);
    connection.exec("INSERT INTO t VALUES (3)");
    transaction.commit();
  }
  CHECK(count_rows(connection) == 1);
}

TEST_CASE("SQLite errors name the database path and SQLite's message", "[db][sqlite][connection]") {
  TempDir dir;
  const std::string path = dir.file("errors.db");
  Connection connection(path, 1.0);
  CHECK_THROWS_MATCHES(connection.prepare("SELECT * FROM missing"), mose::DbError,
                       MessageContains({path, "no such table: missing"}));
  CHECK_THROWS_MATCHES(connection.prepare("SELECT 1; SELECT 2"), mose::DbError,
                       MessageContains({path, "one statement"}));
  const std::string nowhere = dir.file("no/such/dir/x.db");
  CHECK_THROWS_MATCHES(Connection(path, -1.0), mose::DbError,
                       MessageContains({path, "busy timeout must be between 0 and 86400 s, got -1"}));
  CHECK_THROWS_MATCHES(Connection(nowhere, 1.0), mose::DbError,
                       MessageContains({nowhere, "cannot open", "does not exist"}));
}

TEST_CASE("a writer waits for another connection's write lock, then gives up with a DbError",
          "[db][sqlite][connection]") {
  TempDir dir;
  const std::string path = dir.file("locks.db");
  Connection holder(path, 1.0);
  holder.exec("PRAGMA journal_mode = WAL");
  holder.exec("CREATE TABLE t (x INTEGER)");
  Connection waiter(path, 0.2);
  {
    Transaction held(holder, TransactionMode::kWrite);
    CHECK_THROWS_MATCHES(Transaction(waiter, TransactionMode::kWrite), mose::DbError,
                         MessageContains({path, "BEGIN IMMEDIATE", "locked"}));
    // Readers are not blocked by the writer in WAL mode.
    Transaction reading(waiter, TransactionMode::kRead);
    CHECK(count_rows(waiter) == 0);
  }
  Transaction write(waiter, TransactionMode::kWrite);
  waiter.exec("INSERT INTO t VALUES (1)");
  write.commit();
  CHECK(count_rows(holder) == 1);
}

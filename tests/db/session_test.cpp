// The Session each dialect implements (db/sql/session.h), on both backends:
// the shared statements' $1, $2, ... parameters with their types (NULLs
// included), the typed rows that come back, transactions, and errors.
#include "db/sql/session.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <optional>

#include "base/errors.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;
using mose::db::sql::Params;
using mose::db::sql::Rows;

namespace {

std::int64_t count_rows(sql::Session& session) { return session.run("SELECT COUNT(*) FROM t").int64(0, 0); }

}  // namespace

TEMPLATE_TEST_CASE("a session binds typed parameters and reads typed cells", "[db][sql][session]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto session = backend.session("values");
  session->run_script("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, s TEXT)");
  const double kInf = std::numeric_limits<double>::infinity();
  const std::vector<double> reals{0.1, -2.5e-310, 1e300, kInf, -kInf};
  for (const double r : reals) {
    session->run("INSERT INTO t (i, r, s) VALUES ($1, $2, $3)",
                 Params::of(std::numeric_limits<std::int64_t>::min(), r, "caf\xc3\xa9"));
  }
  session->run("INSERT INTO t (i, r, s) VALUES ($1, $2, $3)",
               Params::of(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<double>::quiet_NaN(),
                          std::optional<std::string>{}));
  const Rows rows = session->run("SELECT i, r, s FROM t");
  REQUIRE(rows.rows() == 6);
  for (int row = 0; row < 5; ++row) {
    INFO(row);
    CHECK(rows.int64(row, 0) == std::numeric_limits<std::int64_t>::min());
    CHECK(rows.real(row, 1) == reals[static_cast<std::size_t>(row)]);  // bit-exact round trip
    CHECK(rows.text(row, 2) == "caf\xc3\xa9");
  }
  CHECK(rows.int64(5, 0) == std::numeric_limits<std::int64_t>::max());
  CHECK(std::isnan(rows.real(5, 1)));  // NaN in PostgreSQL, NULL read as NaN in SQLite
  CHECK(rows.is_null(5, 2));
  CHECK(session->run("SELECT COUNT(*), MAX(r) FROM t WHERE r < $1", Params::of(1.0)).real(0, 1) == 0.1);
}

TEMPLATE_TEST_CASE("a NULL parameter keeps its type, and parameters bind by number", "[db][sql][session]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto session = backend.session("nulls");
  session->run_script("CREATE TABLE t (id BIGINT, name TEXT)");
  session->run("INSERT INTO t (id, name) VALUES ($2, $1)", Params::of("a", 1));
  session->run("INSERT INTO t (id, name) VALUES ($2, $1)", Params::of("b", 2));
  // "$1 IS NULL" alone says nothing of $1's type; PostgreSQL learns it from the parameter.
  const std::string filter = "SELECT id FROM t WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR name = $2) ORDER BY id";
  CHECK(session->run(filter, Params::of(std::optional<std::int64_t>{}, std::optional<std::string>{})).rows() == 2);
  CHECK(session->run(filter, Params::of(std::optional<std::int64_t>{2}, std::optional<std::string>{})).int64(0, 0) ==
        2);
  CHECK(session->run(filter, Params::of(std::optional<std::int64_t>{}, std::optional<std::string>{"a"})).int64(0, 0) ==
        1);
}

TEMPLATE_TEST_CASE("a statement's parameters must all be given, and a failing one names the store",
                   "[db][sql][session]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto session = backend.session("params");
  session->run_script("CREATE TABLE t (x BIGINT, y BIGINT)");
  CHECK_THROWS_MATCHES(session->run("INSERT INTO t (x, y) VALUES ($1, $2)", Params::of(1)), mose::DbError,
                       MessageContains({session->name(), "INSERT INTO t (x, y) VALUES ($1, $2)"}));
  CHECK_THROWS_MATCHES(session->run("SELECT * FROM missing"), mose::DbError,
                       MessageContains({session->name(), "missing"}));
  CHECK(count_rows(*session) == 0);
  session->run("INSERT INTO t (x, y) VALUES ($1, $1)", Params::of(5, 6));  // $2 is not used: ignored
  CHECK(session->run("SELECT x + y FROM t").int64(0, 0) == 10);
}

TEMPLATE_TEST_CASE("a session's transaction rolls back unless committed", "[db][sql][session]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto session = backend.session("tx");
  session->run_script("CREATE TABLE t (x BIGINT)");
  {
    sql::Transaction transaction(*session);
    session->run("INSERT INTO t (x) VALUES ($1)", Params::of(1));
  }
  CHECK(count_rows(*session) == 0);
  CHECK_THROWS_AS(
      [&] {
        sql::Transaction transaction(*session);
        session->run("INSERT INTO t (x) VALUES ($1)", Params::of(2));
        session->run("INSERT INTO missing (x) VALUES ($1)", Params::of(3));
      }(),
      mose::DbError);
  CHECK(count_rows(*session) == 0);
  {
    sql::Transaction transaction(*session);
    session->run("INSERT INTO t (x) VALUES ($1)", Params::of(4));
    transaction.commit();
  }
  CHECK(count_rows(*session) == 1);
}

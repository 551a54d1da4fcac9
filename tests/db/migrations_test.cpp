// The shared migration runner (db/sql/migrate.h) on both backends' sessions,
// and how opening a store migrates it.
#include "db/sql/migrate.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "base/errors.h"
#include "db/sql/schema.h"
#include "db/storage.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;
using mose::db::sql::migrate;
using mose::db::sql::Migration;
using mose::db::sql::require_current;

namespace {

bool has_table(sql::Session& session, const std::string& name) {
  try {
    session.run("SELECT COUNT(*) FROM " + name);
    return true;
  } catch (const mose::DbError&) {
    return false;
  }
}

int latest_version(const sql::Session& session) {
  return static_cast<int>(sql::schema_migrations(session.dialect()).size());
}

}  // namespace

TEMPLATE_TEST_CASE("a fresh store is migrated to the latest schema", "[db][migrations]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  open_storage(backend.url("fresh"));
  auto session = backend.session("fresh");
  CHECK(latest_version(*session) >= 1);
  CHECK(session->read_schema_version() == latest_version(*session));
  for (const char* table : {"studies", "trials", "metrics", "curves", "artifacts", "environment"}) {
    INFO(table);
    CHECK(has_table(*session, table));
  }
}

TEMPLATE_TEST_CASE("reopening a current store changes nothing", "[db][migrations]", SqliteBackend, PostgresBackend) {
  TestType backend;
  {
    auto storage = open_storage(backend.url("reopen"));
    storage->create_or_get_study({"kept", "recipes/kept.toml", "name = 'kept'"});
  }
  auto session = backend.session("reopen");
  CHECK(migrate(*session, sql::schema_migrations(session->dialect())) == 0);
  CHECK(session->read_schema_version() == latest_version(*session));
  auto storage = open_storage(backend.url("reopen"));
  REQUIRE(storage->list_studies().size() == 1);
  CHECK(storage->list_studies()[0].name == "kept");
}

TEMPLATE_TEST_CASE("a store written by a newer schema is refused, naming the store and both versions",
                   "[db][migrations]", SqliteBackend, PostgresBackend) {
  TestType backend;
  open_storage(backend.url("newer"));
  auto session = backend.session("newer");
  const int latest = latest_version(*session);
  const int newer = latest + 5;
  session->write_schema_version(newer);
  CHECK_THROWS_MATCHES(open_storage(backend.url("newer")), mose::DbError,
                       MessageContains({session->name() + " has schema version " + std::to_string(newer),
                                        "(" + std::to_string(latest) + ")"}));
}

TEST_CASE("a file that is not a SQLite database is a clear DbError", "[db][sqlite][migrations]") {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  {
    std::ofstream out(path);
    for (int i = 0; i < 64; ++i) out << "these are notes about a study, not a database\n";
  }
  CHECK_THROWS_MATCHES(open_storage(path), mose::DbError, MessageContains({path, "not a SQLite database"}));
}

TEMPLATE_TEST_CASE("migrations apply in order, only the missing ones", "[db][migrations]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto session = backend.session("steps");
  LogCapture log;
  const std::vector<Migration> first{{1, "a", "CREATE TABLE a (x INTEGER)"}};
  const std::vector<Migration> both{first[0], {2, "b", "CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (7)"}};
  CHECK(migrate(*session, first) == 1);
  CHECK(session->read_schema_version() == 1);
  CHECK(log.messages().empty());  // creating a fresh store is routine
  CHECK(migrate(*session, both) == 1);
  CHECK(session->read_schema_version() == 2);
  REQUIRE(log.messages().size() == 1);  // upgrading one is worth a line
  CHECK_THAT(log.messages()[0], Catch::Matchers::EndsWith(session->name() + ": schema migration 2 (b)"));
  CHECK(has_table(*session, "a"));
  CHECK(session->run("SELECT y FROM b").int64(0, 0) == 7);
  CHECK(migrate(*session, both) == 0);
  CHECK_THROWS_MATCHES(migrate(*session, first), mose::DbError, MessageContains({"schema version 2"}));
}

TEMPLATE_TEST_CASE("a store opened read-only must be at the latest schema, and is never migrated",
                   "[db][migrations][read_only]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto session = backend.session("readers");
  const std::vector<Migration> first{{1, "a", "CREATE TABLE a (x INTEGER)"}};
  const std::vector<Migration> both{first[0], {2, "b", "CREATE TABLE b (y INTEGER)"}};
  CHECK_THROWS_MATCHES(require_current(*session, first), mose::DbError,
                       MessageContains({session->name() + " is not a mose study store"}));
  CHECK(session->read_schema_version() == 0);
  migrate(*session, first);
  CHECK_NOTHROW(require_current(*session, first));
  CHECK_THROWS_MATCHES(require_current(*session, both), mose::DbError,
                       MessageContains({session->name() + " has schema version 1, older than this build's (2)"}));
  CHECK(session->read_schema_version() == 1);
  CHECK_FALSE(has_table(*session, "b"));
}

TEMPLATE_TEST_CASE("a failing migration step rolls back every step of that run", "[db][migrations]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto session = backend.session("broken");
  const std::vector<Migration> broken{{1, "a", "CREATE TABLE a (x INTEGER)"},
                                      {2, "typo", "CREATE TABEL b (y INTEGER)"}};
  CHECK_THROWS_MATCHES(migrate(*session, broken), mose::DbError,
                       MessageContains({session->name(), "schema migration 2", "syntax error"}));
  CHECK(session->read_schema_version() == 0);
  CHECK_FALSE(has_table(*session, "a"));
  // No transaction was left open: the next run begins its own and commits.
  CHECK(migrate(*session, {broken[0]}) == 1);
  CHECK(has_table(*session, "a"));
}

TEMPLATE_TEST_CASE("a migration list with a gap is refused", "[db][migrations]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto session = backend.session("gap");
  const std::vector<Migration> gap{{1, "a", "CREATE TABLE a (x INTEGER)"}, {3, "c", "CREATE TABLE c (x INTEGER)"}};
  CHECK_THROWS_MATCHES(migrate(*session, gap), mose::DbError,
                       MessageContains({session->name(), "has version 3, expected 2"}));
  CHECK(session->read_schema_version() == 0);
}

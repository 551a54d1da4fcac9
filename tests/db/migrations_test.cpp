#include "db/sqlite/migrations.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "base/errors.h"
#include "db/storage.h"
#include "db_test_support.h"

using namespace mose::db;
using namespace mose::db::sqlite;
using mose::db::testing::LogCapture;
using mose::db::testing::MessageContains;
using mose::db::testing::TempDir;

namespace {

bool has_table(Connection& connection, const std::string& name) {
  Statement query = connection.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  return query.bind_all(name).step();
}

}  // namespace

TEST_CASE("a fresh database is migrated to the latest schema", "[db][sqlite][migrations]") {
  TempDir dir;
  const std::string path = dir.file("fresh.db");
  open_storage(path);
  Connection connection(path, 1.0);
  CHECK(latest_schema_version() >= 1);
  CHECK(read_schema_version(connection) == latest_schema_version());
  for (const char* table : {"studies", "trials", "metrics", "curves", "artifacts", "environment"}) {
    INFO(table);
    CHECK(has_table(connection, table));
  }
}

TEST_CASE("reopening a current database changes nothing", "[db][sqlite][migrations]") {
  TempDir dir;
  const std::string path = dir.file("reopen.db");
  {
    auto storage = open_storage(path);
    storage->create_or_get_study({"kept", "recipes/kept.toml", "name = 'kept'"});
  }
  Connection connection(path, 1.0);
  CHECK(migrate(connection, schema_migrations()) == 0);
  CHECK(read_schema_version(connection) == latest_schema_version());
  auto storage = open_storage(path);
  REQUIRE(storage->list_studies().size() == 1);
  CHECK(storage->list_studies()[0].name == "kept");
}

TEST_CASE("a database written by a newer schema is refused, naming path and versions", "[db][sqlite][migrations]") {
  TempDir dir;
  const std::string path = dir.file("newer.db");
  open_storage(path);
  const int newer = latest_schema_version() + 5;
  {
    Connection connection(path, 1.0);
    connection.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  CHECK_THROWS_MATCHES(open_storage(path), mose::DbError,
                       MessageContains({path, "schema version " + std::to_string(newer),
                                        "(" + std::to_string(latest_schema_version()) + ")"}));
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

TEST_CASE("migrations apply in order, only the missing ones", "[db][sqlite][migrations]") {
  TempDir dir;
  Connection connection(dir.file("steps.db"), 1.0);
  LogCapture log;
  const std::vector<Migration> first{{1, "a", "CREATE TABLE a (x INTEGER)"}};
  const std::vector<Migration> both{first[0], {2, "b", "CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (7)"}};
  CHECK(migrate(connection, first) == 1);
  CHECK(read_schema_version(connection) == 1);
  CHECK(log.messages().empty());  // creating a fresh file is routine
  CHECK(migrate(connection, both) == 1);
  CHECK(read_schema_version(connection) == 2);
  REQUIRE(log.messages().size() == 1);  // upgrading one is worth a line
  CHECK_THAT(log.messages()[0], Catch::Matchers::EndsWith("steps.db: schema migration 2 (b)"));
  CHECK(has_table(connection, "a"));
  CHECK(has_table(connection, "b"));
  CHECK(migrate(connection, both) == 0);
  CHECK_THROWS_MATCHES(migrate(connection, first), mose::DbError, MessageContains({"schema version 2"}));
}

TEST_CASE("a failing migration step rolls back every step of that run", "[db][sqlite][migrations]") {
  TempDir dir;
  Connection connection(dir.file("broken.db"), 1.0);
  const std::vector<Migration> broken{{1, "a", "CREATE TABLE a (x INTEGER)"},
                                      {2, "typo", "CREATE TABEL b (y INTEGER)"}};
  CHECK_THROWS_MATCHES(migrate(connection, broken), mose::DbError,
                       MessageContains({"schema migration 2", "syntax error"}));
  CHECK(read_schema_version(connection) == 0);
  CHECK_FALSE(has_table(connection, "a"));
  CHECK_FALSE(connection.in_transaction());
}

TEST_CASE("a migration list with a gap is refused", "[db][sqlite][migrations]") {
  TempDir dir;
  Connection connection(dir.file("gap.db"), 1.0);
  const std::vector<Migration> gap{{1, "a", "CREATE TABLE a (x INTEGER)"}, {3, "c", "CREATE TABLE c (x INTEGER)"}};
  CHECK_THROWS_MATCHES(migrate(connection, gap), mose::DbError, MessageContains({"has version 3, expected 2"}));
  CHECK(read_schema_version(connection) == 0);
}

// The schema each dialect renders from the one shared text (db/sql/schema.h)
// must stay the text existing stores were created from: SQLite keeps each
// CREATE statement verbatim in the file, and a changed schema needs a new
// migration, not an edit. The pins are FNV-1a hashes of the version-1 texts
// that db/sqlite/migrations.cpp and db/postgres/migrations.cpp held before
// the dialects shared one.
#include "db/sql/schema.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <type_traits>

#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;

namespace {

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325u;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3u;
  }
  return hash;
}

}  // namespace

TEMPLATE_TEST_CASE("each dialect renders the schema that existing stores hold", "[db][sql][schema]", SqliteBackend,
                   PostgresBackend) {
  constexpr std::uint64_t kPinnedV1 =
      std::is_same_v<TestType, SqliteBackend> ? 0xd03b2810e118a4b9u : 0x7f4322da21861441u;
  TestType backend;
  auto session = backend.session("schema");
  const std::vector<sql::Migration> migrations = sql::schema_migrations(session->dialect());
  REQUIRE(migrations.size() == 1);
  CHECK(migrations[0].version == 1);
  CHECK(migrations[0].description == "studies, trials, metrics, curves, artifacts, environment");
  CHECK(fnv1a(migrations[0].sql) == kPinnedV1);
}

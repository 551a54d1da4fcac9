#include "db/sql/sql_text.h"

#include <catch2/catch.hpp>

using namespace mose::db::sql;

TEST_CASE("excerpt collapses whitespace and cuts long statements", "[db][sql][text]") {
  CHECK(excerpt("  SELECT id\n\tFROM   trials\r\n WHERE x = 1  ") == "SELECT id FROM trials WHERE x = 1");
  CHECK(excerpt(" \n\t ").empty());
  const std::string long_sql = "SELECT " + std::string(100, 'x');
  const std::string cut = excerpt(long_sql);
  CHECK(cut == long_sql.substr(0, 72) + "...");
}

TEST_CASE("json_id_array writes ids as one JSON array", "[db][sql][text]") {
  CHECK(json_id_array({}) == "[]");
  CHECK(json_id_array({42}) == "[42]");
  CHECK(json_id_array({3, -1, 9007199254740993}) == "[3,-1,9007199254740993]");
}

#include "db/sql/rows.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "base/errors.h"
#include "db_test_support.h"

using mose::db::sql::Rows;
using mose::db::testing::MessageContains;

TEST_CASE("rows read cells by row and column, NULL as 0, empty, nullopt or NaN", "[db][sql][rows]") {
  Rows rows(3);
  rows.add(std::int64_t{7});
  rows.add(0.25);
  rows.add(std::string("seven"));
  rows.add_null();
  rows.add_null();
  rows.add_null();
  REQUIRE(rows.rows() == 2);
  CHECK(rows.columns() == 3);
  CHECK(rows.int64(0, 0) == 7);
  CHECK(rows.real(0, 0) == 7.0);  // an integer reads as a real, as SQLite's REAL columns may hold one
  CHECK(rows.real(0, 1) == 0.25);
  CHECK(rows.text(0, 2) == "seven");
  CHECK(rows.is_null(1, 0));
  CHECK(rows.int64(1, 0) == 0);
  CHECK(std::isnan(rows.real(1, 1)));  // how SQLite keeps a NaN
  CHECK(rows.text(1, 2).empty());
  CHECK_FALSE(rows.optional_int64(1, 0).has_value());
  CHECK_FALSE(rows.optional_real(1, 1).has_value());
  CHECK(Rows(2).empty());
  CHECK(Rows().rows() == 0);
}

TEST_CASE("reading a cell as a type it does not hold, or outside the rows, is a DbError", "[db][sql][rows]") {
  Rows rows(2);
  rows.add(std::string("text"));
  rows.add(1.5);
  CHECK_THROWS_MATCHES(rows.int64(0, 0), mose::DbError,
                       MessageContains({"result column 0 holds text where an integer was expected"}));
  CHECK_THROWS_MATCHES(rows.text(0, 1), mose::DbError,
                       MessageContains({"result column 1 holds a real where text was expected"}));
  CHECK_THROWS_MATCHES(rows.real(0, 0), mose::DbError, MessageContains({"holds text where a real was expected"}));
  CHECK_THROWS_MATCHES(rows.int64(1, 0), mose::DbError, MessageContains({"no cell (1, 0)", "1 rows and 2 columns"}));
  CHECK_THROWS_AS(rows.int64(0, 2), mose::DbError);
}

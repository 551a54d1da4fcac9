#include "study/analysis/report_table.h"

#include <catch2/catch.hpp>

#include <limits>

#include "base/errors.h"

namespace mose::study::analysis {

TEST_CASE("numbers are formatted with the column's notation and precision", "[study][table]") {
  CHECK(format_number(2.91344, {Notation::kFixed, 4}) == "2.9134");
  CHECK(format_number(2.5, {Notation::kFixed, 0}) == "2");  // round half to even, like printf
  CHECK(format_number(1.2345e9, {Notation::kScientific, 3}) == "1.234e+09");
  CHECK(format_number(-0.0001, {Notation::kFixed, 3}) == "0.000");  // no "-0.000"
  CHECK(format_number(-0.0, {Notation::kScientific, 2}) == "0.00e+00");
  CHECK(format_number(-1.5, {Notation::kFixed, 2}) == "-1.50");
  CHECK(format_number(std::numeric_limits<double>::quiet_NaN(), {}) == "nan");
  CHECK(format_number(-std::numeric_limits<double>::infinity(), {}) == "-inf");
}

TEST_CASE("frontier_table lists each group's frontier, optionally its dominated points", "[study][table]") {
  const std::vector<ParetoPoint> points{
      {"t1", "dense", 2e9, 3.0}, {"t2", "dense", 4e9, 2.5}, {"t3", "dense", 5e9, 2.7}, {"t4", "mose", 1e9, 2.8}};
  const auto frontiers = frontiers_by_group(points, Direction::kMinimize);
  const Table compact = frontier_table(frontiers);
  REQUIRE(compact.columns.size() == 4);
  CHECK(compact.columns[2].header == "FLOPs/token");
  REQUIRE(compact.rows.size() == 3);
  CHECK(std::get<std::string>(compact.rows[0][1]) == "t1");
  CHECK(std::get<std::string>(compact.rows[1][1]) == "t2");
  CHECK(std::get<std::string>(compact.rows[2][0]) == "mose");
  CHECK(std::get<double>(compact.rows[2][2]) == 1e9);

  FrontierTableOptions options;
  options.include_dominated = true;
  const Table full = frontier_table(frontiers, options);
  REQUIRE(full.columns.size() == 5);
  REQUIRE(full.rows.size() == 4);
  CHECK(std::get<std::string>(full.rows[2][1]) == "t3");
  CHECK(std::get<std::string>(full.rows[2][4]) == "dominated");
  CHECK(std::get<std::string>(full.rows[3][4]) == "frontier");
  CHECK(is_numeric_column(full, 2));
  CHECK_FALSE(is_numeric_column(full, 1));
}

TEST_CASE("malformed tables are rejected naming the row or column", "[study][table]") {
  Table table;
  table.columns = {{"a"}, {"b", {Notation::kFixed, 31}}};
  CHECK_THROWS_WITH(check_table(table), Catch::Contains("'b'") && Catch::Contains("precision 31"));
  table.columns[1].number.precision = 2;
  table.rows = {{std::string("x"), 1.0}, {std::string("y")}};
  CHECK_THROWS_AS(check_table(table), DataError);
  CHECK_THROWS_WITH(check_table(table), Catch::Contains("row 1"));
}

}  // namespace mose::study::analysis

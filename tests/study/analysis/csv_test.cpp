#include "study/analysis/csv.h"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "study/study_test_support.h"

namespace mose::study::analysis {
namespace {

// Strings made of the characters CSV finds awkward, plus UTF-8.
std::string random_awkward_string(std::mt19937_64& rng) {
  static const std::vector<std::string> pieces{",", "\"", "\n", "\r", "\r\n", " ",  "a",
                                               "Z", "0",  "é",  "✓",  "\t",   "''", ";"};
  std::uniform_int_distribution<std::size_t> length(0, 8);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::string s;
  for (std::size_t n = length(rng); n > 0; --n) s += pieces[pick(rng)];
  return s;
}

}  // namespace

TEST_CASE("CSV output follows RFC 4180", "[study][csv]") {
  CsvTable table;
  table.columns = {"id", "note", "loss"};
  table.rows = {{"t1", "plain", "2.5"},
                {"t2", "a, b", "1"},
                {"t3", "say \"hi\"", ""},
                {"t4", "two\nlines", "x"},
                {"t5", "cr\ronly", " spaced "}};
  CHECK(format_csv(table) ==
        "id,note,loss\r\n"
        "t1,plain,2.5\r\n"
        "t2,\"a, b\",1\r\n"
        "t3,\"say \"\"hi\"\"\",\r\n"
        "t4,\"two\nlines\",x\r\n"
        "t5,\"cr\ronly\", spaced \r\n");
}

TEST_CASE("CSV round-trips awkward cells exactly", "[study][csv]") {
  CsvTable table;
  table.columns = {"plain", "with,comma", "with \"quote\"", "multi\nline"};
  table.rows = {{"", "", "", ""},
                {" lead", "trail ", "\"", ","},
                {"line1\nline2", "cr\r\nlf", "\r", "\n"},
                {"unicodé ✓", "tab\there", "\"\"", "a\"b,c\nd"}};
  CHECK(parse_csv(format_csv(table), "memory").rows == table.rows);
  CHECK(parse_csv(format_csv(table), "memory").columns == table.columns);

  CsvTable single;  // one column of empty cells must not vanish as blank lines
  single.columns = {"only"};
  single.rows = {{""}, {"x"}, {""}};
  const CsvTable back = parse_csv(format_csv(single), "memory");
  CHECK(back.columns == single.columns);
  CHECK(back.rows == single.rows);
}

TEST_CASE("CSV round-trips random tables of awkward strings", "[study][csv]") {
  std::mt19937_64 rng(4180);
  for (int trial = 0; trial < 200; ++trial) {
    CsvTable table;
    const std::size_t columns = 1 + trial % 5;
    for (std::size_t c = 0; c < columns; ++c) table.columns.push_back(random_awkward_string(rng));
    for (int r = trial % 7; r > 0; --r) {
      std::vector<std::string> row;
      for (std::size_t c = 0; c < columns; ++c) row.push_back(random_awkward_string(rng));
      table.rows.push_back(row);
    }
    const CsvTable back = parse_csv(format_csv(table), "memory");
    REQUIRE(back.columns == table.columns);
    REQUIRE(back.rows == table.rows);
  }
}

TEST_CASE("CSV numbers are the shortest text that parses back to the same double", "[study][csv]") {
  CHECK(csv_number(0.1) == "0.1");
  CHECK(csv_number(1e20) == "1e+20");
  CHECK(csv_number(2.5) == "2.5");
  CHECK(csv_number(std::numeric_limits<double>::infinity()) == "inf");
  const std::vector<double> specials{0.1,
                                     1.0 / 3.0,
                                     1e-310,
                                     std::numeric_limits<double>::max(),
                                     std::numeric_limits<double>::min(),
                                     std::numeric_limits<double>::denorm_min(),
                                     1e20,
                                     123456789012345678.0,
                                     -2.5e-7,
                                     0.0,
                                     -0.0,
                                     std::numeric_limits<double>::infinity(),
                                     -std::numeric_limits<double>::infinity()};
  for (double v : specials) {
    const double back = parse_csv_number(csv_number(v), "test");
    CHECK(std::bit_cast<std::uint64_t>(back) == std::bit_cast<std::uint64_t>(v));
  }
  CHECK(std::isnan(parse_csv_number(csv_number(std::nan("")), "test")));
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; ++i) {
    const double v = std::bit_cast<double>(rng());
    if (!std::isfinite(v)) continue;
    const double back = parse_csv_number(csv_number(v), "test");
    REQUIRE(std::bit_cast<std::uint64_t>(back) == std::bit_cast<std::uint64_t>(v));
  }
}

TEST_CASE("CSV numbers that do not parse name the cell", "[study][csv]") {
  for (const char* bad : {"", "1.5x", " 1", "abc", "1,5"}) {
    CHECK_THROWS_AS(parse_csv_number(bad, "runs.csv:3 column 'val_loss'"), DataError);
    CHECK_THROWS_WITH(parse_csv_number(bad, "runs.csv:3 column 'val_loss'"), Catch::Contains("runs.csv:3"));
  }
}

TEST_CASE("CSV files are written atomically and read back", "[study][csv]") {
  testing::ScratchDir dir("csv");
  const auto path = dir.path() / "sub" / "frontier.csv";
  CsvTable table;
  table.columns = {"group", "id", "flops_per_token", "val_loss"};
  table.rows = {{"mose|topk|ttt", "t,1", csv_number(1.25e9), csv_number(2.913)}};
  write_csv(path, table);
  CHECK(read_csv(path).rows == table.rows);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path.parent_path())) ++files;
  CHECK(files == 1);  // no temporary left beside it
  const CsvTable back = read_csv(path);
  CHECK(parse_csv_number(back.rows[0][back.column("val_loss")], "val_loss") == 2.913);
  CHECK_THROWS_WITH(back.column("accuracy"), Catch::Contains("accuracy") && Catch::Contains("flops_per_token"));
  CHECK_THROWS_AS(read_csv(dir.path() / "missing.csv"), IoError);
}

TEST_CASE("CSV reader accepts LF and a missing final newline", "[study][csv]") {
  const CsvTable t = parse_csv("a,b\nx,\"y\ny\"\n1,2", "memory");
  CHECK(t.columns == std::vector<std::string>{"a", "b"});
  CHECK(t.rows == std::vector<std::vector<std::string>>{{"x", "y\ny"}, {"1", "2"}});
  CHECK(parse_csv("a,b\r\n", "memory").rows.empty());
}

TEST_CASE("malformed CSV is a DataError naming the source and line", "[study][csv]") {
  CHECK_THROWS_WITH(parse_csv("", "runs.csv"), Catch::Contains("runs.csv:1") && Catch::Contains("no header"));
  CHECK_THROWS_WITH(parse_csv("a,b\r\n1,2\r\n3\r\n", "runs.csv"),
                    Catch::Contains("runs.csv:3") && Catch::Contains("1 fields"));
  CHECK_THROWS_WITH(parse_csv("a\r\n\"open\r\nstill open", "runs.csv"),
                    Catch::Contains("runs.csv:2") && Catch::Contains("never closed"));
  CHECK_THROWS_WITH(parse_csv("a,b\r\n\"x\"y,2\r\n", "runs.csv"),
                    Catch::Contains("runs.csv:2") && Catch::Contains("after a closing quote"));
  CHECK_THROWS_WITH(parse_csv("a,b\r\nx\"y,2\r\n", "runs.csv"), Catch::Contains("unquoted field"));
  CHECK_THROWS_WITH(parse_csv("a,b\rc,d", "runs.csv"), Catch::Contains("bare carriage return"));
  // The line of a record that follows a quoted newline is counted correctly.
  CHECK_THROWS_WITH(parse_csv("a,b\r\n\"1\n2\",3\r\nshort\r\n", "runs.csv"), Catch::Contains("runs.csv:4"));
  CHECK_THROWS_AS(parse_csv("a\r\n\"", "runs.csv"), DataError);
}

TEST_CASE("CSV writer rejects rows of the wrong width", "[study][csv]") {
  CsvTable table;
  table.columns = {"a", "b"};
  table.rows = {{"1", "2"}, {"3"}};
  CHECK_THROWS_AS(format_csv(table), DataError);
  CHECK_THROWS_WITH(format_csv(table), Catch::Contains("row 1"));
  CHECK_THROWS_AS(format_csv(CsvTable{}), DataError);
}

}  // namespace mose::study::analysis

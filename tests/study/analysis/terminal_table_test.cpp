#include "study/analysis/terminal_table.h"

#include <catch2/catch.hpp>

#include "base/errors.h"

namespace mose::study::analysis {

TEST_CASE("terminal tables align text left and numbers right", "[study][table]") {
  Table table;
  table.columns = {
      {"group"}, {"trial"}, {"FLOPs/token", {Notation::kScientific, 3}}, {"val loss", {Notation::kFixed, 4}}};
  table.rows = {{std::string("mose|topk|ttt"), std::string("t17"), 1.2345e9, 2.91344},
                {std::string("dense"), std::string("t2"), 12.5e9, 10.0}};
  CHECK(format_terminal_table(table) ==
        "group          trial  FLOPs/token  val loss\n"
        "-------------  -----  -----------  --------\n"
        "mose|topk|ttt  t17      1.234e+09    2.9134\n"
        "dense          t2       1.250e+10   10.0000\n");
}

TEST_CASE("terminal tables count UTF-8 code points and flatten control characters", "[study][table]") {
  CHECK(display_width("ünï✓") == 4);
  CHECK(display_width("") == 0);
  Table table;
  table.columns = {{"name"}, {"x"}};
  table.rows = {{std::string("ünï"), std::string("a\nb")}, {std::string("ab"), std::string("c\td")}};
  CHECK(format_terminal_table(table) ==
        "name  x\n"
        "----  ---\n"
        "ünï   a b\n"
        "ab    c d\n");
}

TEST_CASE("terminal tables of no rows print the header, mixed columns align left", "[study][table]") {
  Table table;
  table.columns = {{"a"}, {"bb"}};
  CHECK(format_terminal_table(table) == "a  bb\n-  --\n");
  table.rows = {{1.0, std::string("x")}, {std::string("word"), 2.0}};
  CHECK(format_terminal_table(table) ==
        "a      bb\n"
        "-----  -----\n"
        "1.000  x\n"
        "word   2.000\n");
  table.rows.push_back({1.0});
  CHECK_THROWS_AS(format_terminal_table(table), DataError);
}

}  // namespace mose::study::analysis

// Zero-shot task files: JSONL multiple-choice lines (parsed by nlohmann's parser) and
// last-word passages, and the messages malformed lines give.
#include "core/data/task_data.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "base/errors.h"
#include "core/data/test_files.h"

using namespace mose::core::data;
using mose::core::data::testing::TempDir;
using mose::core::data::testing::write_text;

TEST_CASE("multiple-choice JSONL lines parse, with escapes and unknown keys", "[core][data][tasks]") {
  const ChoiceItem item = parse_choice_line(
      R"({"id": 7, "meta": {"src": [1, true, null]}, "context": "Tab\there \"q\" \u00e9\ud83d\ude00",)"
      R"( "choices": [" a", " b\n", " c"], "gold": 2})",
      "x.jsonl:1");
  CHECK(item.context == "Tab\there \"q\" \xc3\xa9\xf0\x9f\x98\x80");
  CHECK(item.choices == std::vector<std::string>{" a", " b\n", " c"});
  CHECK(item.gold == 2);
}

TEST_CASE("malformed task lines are DataErrors naming file and line", "[core][data][tasks]") {
  TempDir dir;
  const auto path = dir.path() / "bad.jsonl";
  const std::string good = R"({"context": "c", "choices": [" a", " b"], "gold": 1})";
  for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
           {R"({"context": "c", "choices": [" a", " b"], "gold": 2})", "\"gold\" missing or not an index in [0, 2)"},
           {R"({"context": "c", "choices": [" a"], "gold": 0})", "fewer than 2"},
           {R"({"choices": [" a", " b"], "gold": 0})", "missing \"context\""},
           {R"({"context": "c", "choices": [" a", " b"], "gold": 0.5})", "not an index"},
           {R"({"context": 3, "choices": [" a", " b"], "gold": 0})", "missing \"context\" (a string)"},
           // The first choice token is scored after the context: without one there is nothing to score.
           {R"({"context": "", "choices": [" a", " b"], "gold": 0})", "an empty \"context\""},
           {R"({"context": "c", "choices": [" a", 2], "gold": 0})", "a choice that is not a string"},
           {R"({"context": "c", "choices": ["", " b"], "gold": 0})", "an empty choice"},
           {R"(["c", [" a", " b"], 0])", "not a JSON object"},
           // Syntax errors: nlohmann's parser says what it found, at which column.
           {R"({"context": "c" "choices": []})", "not valid JSON: parse error at line 1, column 25"},
           {R"({"context": "c", "choices": [" a", " b"], "gold": 0} x)",
            "not valid JSON: parse error at line 1, column 54"},
           {R"({"context": "unterminated)", "not valid JSON: parse error at line 1, column 26"},
           // JSON is UTF-8 (RFC 8259): a Latin-1 byte is named, not passed on to the tokenizer.
           {"{\"context\": \"caf\xE9\", \"choices\": [\" a\", \" b\"], \"gold\": 0}", "ill-formed UTF-8 byte"}}) {
    write_text(path, good + "\n\n" + line + "\n");
    INFO(line);
    CHECK_THROWS_AS(read_choice_task(path), mose::DataError);
    CHECK_THROWS_WITH(read_choice_task(path), Catch::Contains(path.string() + ":3:") && Catch::Contains(expected));
  }
  write_text(path, "\n" + good + "\n");
  REQUIRE(read_choice_task(path).size() == 1);
  CHECK(read_choice_task(path)[0].line == 2);
  write_text(dir.path() / "one.txt", "oneword\n");
  CHECK_THROWS_WITH(read_last_word_task(dir.path() / "one.txt"), Catch::Contains("one.txt:1:"));
  CHECK_THROWS_WITH(task_kind(dir.path() / "x.csv"), Catch::Contains("expected .jsonl"));
}

TEST_CASE("last-word lines split before the last word", "[core][data][tasks]") {
  TempDir dir;
  write_text(dir.path() / "lw.txt", "the cat sat on the mat\r\n\nit was a dark night  \n");
  const auto items = read_last_word_task(dir.path() / "lw.txt");
  REQUIRE(items.size() == 2);
  CHECK(items[0].line == 1);
  CHECK(items[1].line == 3);
  CHECK(items[0].context == "the cat sat on the");
  CHECK(items[0].target == " mat");
  CHECK(items[1].context == "it was a dark");
  CHECK(items[1].target == " night");
  CHECK(task_name(dir.path() / "lw.txt") == "lw");
}

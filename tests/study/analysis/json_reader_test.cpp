// Reading stored JSON back (nlohmann's parser): canonical text round-trips, escapes
// decode, errors say where.
#include "study/analysis/json_reader.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "base/errors.h"
#include "core/spec/config.h"
#include "study/recipe/recipe_keys.h"

namespace mose::study::analysis {

TEST_CASE("canonical JSON reads back to the same canonical text", "[study][json]") {
  const std::string config = recipe::to_canonical_json(recipe::legacy_config_json(core::spec::RunConfig{}));
  CHECK(recipe::to_canonical_json(parse_json(config, "config")) == config);
  const Json value = parse_json(config, "config");
  CHECK(json_text(json_find(value, "model.router.type")) == "topk");
  CHECK(as_number(*json_find(value, "train.optim.lr")) == 3e-3);
  CHECK(json_find(value, "model.nope") == nullptr);
  CHECK(json_find(value, "model.router.type.deeper") == nullptr);
}

TEST_CASE("JSON values of every kind parse", "[study][json]") {
  const Json v = parse_json(R"( {"a": [1, -2, 2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00",
                                      "big": 18446744073709551615, "inf": "inf"} )",
                            "test");
  CHECK(recipe::to_canonical_json(v) ==
        "{\"a\":[1,-2,2500,true,false,null],\"big\":18446744073709551615,\"inf\":\"inf\",\"s\":\"q\\\"\\\\/\\n"
        "é😀\"}");
  CHECK(std::isinf(*as_number(*json_find(v, "inf"))));
  CHECK_FALSE(as_number(*json_find(v, "s")));
}

TEST_CASE("stored text that is not UTF-8 reads back with U+FFFD in its place", "[study][json]") {
  // The canonical writer passes bytes through: a Latin-1 path (0xE9 for é) is stored raw.
  const std::string stored = recipe::to_canonical_json(recipe::Json{{"path", std::string("caf\xE9.txt")}});
  CHECK(stored == "{\"path\":\"caf\xE9.txt\"}");
  const Json value = parse_json(stored, "trial 1 config");
  CHECK(json_text(json_find(value, "path")) == "caf\xEF\xBF\xBD.txt");
  // Overlong forms and UTF-16 surrogates are not UTF-8 either; valid sequences stay as they are.
  CHECK(json_text(json_find(parse_json("{\"a\":\"\xC0\xAF\xED\xA0\x80\"}", "t"), "a")) ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(json_text(json_find(parse_json("{\"a\":\"\xC3\xA9\xF0\x9F\x98\x80\"}", "t"), "a")) ==
        "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST_CASE("malformed JSON is a DataError naming the source and offset", "[study][json]") {
  CHECK_THROWS_WITH(parse_json("{\"a\" 1}", "trial 3 config"),
                    Catch::Matchers::Contains("trial 3 config: offset 5") && Catch::Matchers::Contains("':'"));
  CHECK_THROWS_WITH(parse_json(std::string(300, '[') + std::string(300, ']'), "deep"),
                    Catch::Matchers::Contains("deep: JSON nested deeper than 256 levels"));
  CHECK_THROWS_AS(parse_json("[1, 2", "t"), DataError);
  CHECK_THROWS_AS(parse_json("{} x", "t"), DataError);
  CHECK_THROWS_AS(parse_json("\"\\x\"", "t"), DataError);
  CHECK_THROWS_AS(parse_json("\"\\ud800\"", "t"), DataError);
  CHECK_THROWS_AS(parse_json(std::string(300, '['), "t"), DataError);
}

}  // namespace mose::study::analysis

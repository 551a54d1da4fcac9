// Reading JSON back: canonical text round-trips, escapes decode, errors say where.
#include "study/json_reader.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "base/errors.h"
#include "core/config.h"
#include "study/recipe_keys.h"

namespace mose::study {

TEST_CASE("canonical JSON reads back to the same canonical text", "[study][json]") {
  const std::string config = to_canonical_json(config_json(core::RunConfig{}));
  CHECK(to_canonical_json(parse_json(config, "config")) == config);
  const JsonValue value = parse_json(config, "config");
  CHECK(json_text(json_find(value, "model.router.type")) == "topk");
  CHECK(as_number(*json_find(value, "train.optim.lr")) == 3e-3);
  CHECK(json_find(value, "model.nope") == nullptr);
  CHECK(json_find(value, "model.router.type.deeper") == nullptr);
}

TEST_CASE("JSON values of every kind parse", "[study][json]") {
  const JsonValue v = parse_json(R"( {"a": [1, -2, 2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00",
                                      "big": 18446744073709551615, "inf": "inf"} )",
                                 "test");
  CHECK(to_canonical_json(v) ==
        "{\"a\":[1,-2,2500,true,false,null],\"big\":18446744073709551615,\"inf\":\"inf\",\"s\":\"q\\\"\\\\/\\n"
        "é😀\"}");
  CHECK(std::isinf(*as_number(*json_find(v, "inf"))));
  CHECK_FALSE(as_number(*json_find(v, "s")));
}

TEST_CASE("malformed JSON is a DataError naming the source and offset", "[study][json]") {
  CHECK_THROWS_WITH(parse_json("{\"a\" 1}", "trial 3 config"),
                    Catch::Matchers::Contains("trial 3 config: offset 5") && Catch::Matchers::Contains("':'"));
  CHECK_THROWS_AS(parse_json("[1, 2", "t"), DataError);
  CHECK_THROWS_AS(parse_json("{} x", "t"), DataError);
  CHECK_THROWS_AS(parse_json("\"\\x\"", "t"), DataError);
  CHECK_THROWS_AS(parse_json("\"\\ud800\"", "t"), DataError);
  CHECK_THROWS_AS(parse_json(std::string(300, '['), "t"), DataError);
}

}  // namespace mose::study

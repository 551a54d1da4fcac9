#include <catch2/catch.hpp>

#include "base/errors.h"
#include "core/data/tokenizer.h"
#include "core/data/test_files.h"

using namespace mose::core::data;

TEST_CASE("tokenizers are found by name", "[core][data]") {
  CHECK(tokenizer_names() == std::vector<std::string_view>{"byte", "sentencepiece"});
  CHECK(find_tokenizer("byte").name == "byte");
  CHECK(find_tokenizer("sentencepiece").name == "sentencepiece");
  testing::TempDir dir;
  const auto byte = find_tokenizer("byte").build(TokenizerSettings{}, "text", dir.path());
  CHECK(byte->vocab_size() == 256);
}

TEST_CASE("an unknown tokenizer name lists the known ones", "[core][data]") {
  CHECK_THROWS_AS(find_tokenizer("wordpiece"), mose::ConfigError);
  CHECK_THROWS_WITH(find_tokenizer("wordpiece"), Catch::Contains("'wordpiece'") && Catch::Contains("byte") &&
                                                     Catch::Contains("sentencepiece"));
}

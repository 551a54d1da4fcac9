#include "core/data/byte_tokenizer.h"

#include <catch2/catch.hpp>

#include "base/errors.h"

using namespace mose::core::data;

TEST_CASE("byte tokenizer round-trips every byte", "[core][data]") {
  ByteTokenizer tokenizer;
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  all += "héllo wörld\n\t";
  const auto ids = tokenizer.encode(all);
  REQUIRE(ids.size() == all.size());
  for (int b = 0; b < 256; ++b) CHECK(ids[static_cast<size_t>(b)] == b);
  CHECK(tokenizer.decode(ids) == all);
  CHECK(tokenizer.vocab_size() == 256);
  CHECK(tokenizer.name() == "byte");
  CHECK(tokenizer.encode("").empty());
}

TEST_CASE("byte tokenizer rejects ids outside the vocabulary", "[core][data]") {
  ByteTokenizer tokenizer;
  const std::vector<int32_t> bad{65, 256};
  CHECK_THROWS_AS(tokenizer.decode(bad), mose::DataError);
  CHECK_THROWS_WITH(tokenizer.decode(bad), Catch::Contains("256") && Catch::Contains("position 1"));
}

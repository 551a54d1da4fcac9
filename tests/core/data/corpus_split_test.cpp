#include "core/data/corpus_split.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "core/data/test_files.h"

using namespace mose::core::data;

TEST_CASE("blocks tile the text and end on line boundaries", "[core][data]") {
  const std::string text = testing::synthetic_text(5000);
  const auto blocks = split_into_blocks(text, 1024, 0.1);
  REQUIRE(blocks.size() > 10);
  CHECK(blocks.front().begin == 0);
  CHECK(blocks.back().end == static_cast<int64_t>(text.size()));
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) CHECK(blocks[i].begin == blocks[i - 1].end);
    CHECK(text[static_cast<size_t>(blocks[i].end - 1)] == '\n');
    if (i + 1 < blocks.size()) CHECK(blocks[i].end - blocks[i].begin >= 1024);
    CHECK(blocks[i].val == is_val_block(static_cast<int64_t>(i), 0.1));
  }
}

TEST_CASE("the held-out share follows val_fraction and is spread out", "[core][data]") {
  for (const double fraction : {0.05, 0.1, 0.3}) {
    int64_t val = 0, first_half = 0;
    const int64_t blocks = 20000;
    for (int64_t i = 0; i < blocks; ++i) {
      if (is_val_block(i, fraction)) {
        ++val;
        first_half += i < blocks / 2 ? 1 : 0;
      }
    }
    const double share = static_cast<double>(val) / blocks;
    CHECK(std::abs(share - fraction) < 0.01);
    // Spread: each half of the corpus holds about half of the validation blocks.
    CHECK(std::abs(static_cast<double>(first_half) / static_cast<double>(val) - 0.5) < 0.05);
  }
}

TEST_CASE("a split always leaves text on both sides", "[core][data]") {
  const std::string text = testing::synthetic_text(400);
  // A tiny fraction would hold nothing out by the hash rule alone.
  const auto few = split_into_blocks(text, 1024, 1e-9);
  CHECK(std::count_if(few.begin(), few.end(), [](const TextBlock& b) { return b.val; }) == 1);
  const auto most = split_into_blocks(text, 1024, 1.0 - 1e-9);
  CHECK(std::count_if(most.begin(), most.end(), [](const TextBlock& b) { return !b.val; }) == 1);
}

TEST_CASE("a line longer than two blocks is cut on a UTF-8 character boundary", "[core][data]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "é";  // 2 bytes each, no newline
  const auto blocks = split_into_blocks(text, 301, 0.5);
  REQUIRE(blocks.size() >= 2);
  for (const auto& block : blocks) {
    CHECK((static_cast<unsigned char>(text[static_cast<size_t>(block.begin)]) & 0xC0) != 0x80);
  }
}

TEST_CASE("a corpus smaller than two blocks cannot be split", "[core][data]") {
  CHECK_THROWS_AS(split_into_blocks("one short line\n", 1024, 0.1), mose::DataError);
  CHECK_THROWS_WITH(split_into_blocks("one short line\n", 1024, 0.1),
                    Catch::Contains("15 bytes") && Catch::Contains("split_block_bytes"));
}

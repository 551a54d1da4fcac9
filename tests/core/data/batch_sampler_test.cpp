#include "core/data/batch_sampler.h"

#include <catch2/catch.hpp>

#include <numeric>

#include "base/errors.h"
#include "core/data/test_files.h"

using namespace mose::core::data;

namespace {

// Token i of the file is i % 50000, so a row's content reveals where it starts.
TokenFile counting_file(const testing::TempDir& dir, int64_t tokens) {
  std::vector<int32_t> ids(static_cast<size_t>(tokens));
  for (int64_t i = 0; i < tokens; ++i) ids[static_cast<size_t>(i)] = static_cast<int32_t>(i % 50000);
  write_token_file(dir / "train.bin", ids, TokenDtype::kUint16);
  return TokenFile::open(dir / "train.bin", TokenDtype::kUint16, 50000);
}

}  // namespace

TEST_CASE("batches are a pure function of (seed, step, micro-batch)", "[core][data]") {
  testing::TempDir dir;
  const TokenFile train = counting_file(dir, 20000);
  const auto batch = sample_batch(train, 1234, 7, 0, 8, 16);
  REQUIRE(batch.size() == 8 * 17);
  CHECK(sample_batch(train, 1234, 7, 0, 8, 16) == batch);
  CHECK(sample_batch(train, 1234, 8, 0, 8, 16) != batch);
  CHECK(sample_batch(train, 1234, 7, 1, 8, 16) != batch);
  CHECK(sample_batch(train, 1235, 7, 0, 8, 16) != batch);

  // Row r does not depend on how many rows were asked for.
  const auto wider = sample_batch(train, 1234, 7, 0, 12, 16);
  CHECK(std::equal(batch.begin(), batch.end(), wider.begin()));

  std::vector<int32_t> buffer(8 * 17);
  sample_batch_into(train, 1234, 7, 0, 8, 16, buffer);
  CHECK(buffer == batch);
  std::vector<int32_t> wrong(8 * 16);
  CHECK_THROWS_AS(sample_batch_into(train, 1234, 7, 0, 8, 16, wrong), mose::ConfigError);
}

TEST_CASE("rows are contiguous windows inside the file, reaching both ends", "[core][data]") {
  testing::TempDir dir;
  const int64_t tokens = 40;
  const int seq_len = 9;
  const TokenFile train = counting_file(dir, tokens);
  bool saw_first = false, saw_last = false;
  for (int64_t step = 0; step < 200; ++step) {
    const auto starts = sample_window_starts(tokens, 99, step, 0, 4, seq_len);
    const auto batch = sample_batch(train, 99, step, 0, 4, seq_len);
    for (size_t row = 0; row < starts.size(); ++row) {
      REQUIRE(starts[row] >= 0);
      REQUIRE(starts[row] + seq_len + 1 <= tokens);
      for (int t = 0; t <= seq_len; ++t) {
        REQUIRE(batch[row * (seq_len + 1) + static_cast<size_t>(t)] == starts[row] + t);
      }
      saw_first |= starts[row] == 0;
      saw_last |= starts[row] == tokens - seq_len - 1;
    }
  }
  CHECK(saw_first);
  CHECK(saw_last);
}

TEST_CASE("sampling rejects bad shapes and files shorter than a window", "[core][data]") {
  testing::TempDir dir;
  const TokenFile train = counting_file(dir, 10);
  CHECK_THROWS_AS(sample_batch(train, 1, 0, 0, 0, 4), mose::ConfigError);
  CHECK_THROWS_AS(sample_batch(train, 1, -1, 0, 2, 4), mose::ConfigError);
  CHECK(sample_batch(train, 1, 0, 0, 2, 9).size() == 20);
  CHECK_THROWS_WITH(sample_batch(train, 1, 0, 0, 2, 10), Catch::Contains("train.bin") && Catch::Contains("10 tokens"));
}

TEST_CASE("validation windows are the first non-overlapping windows", "[core][data]") {
  testing::TempDir dir;
  const TokenFile val = counting_file(dir, 1000);
  CHECK(validation_window_count(val, 9, 1'000'000) == 100);  // the file is the limit
  CHECK(validation_window_count(val, 9, 255) == 25);         // the budget is the limit
  CHECK(validation_window_count(val, 10, 1'000'000) == 90);
  const auto windows = validation_batch(val, 9, 3, 2);
  std::vector<int32_t> expected(20);
  std::iota(expected.begin(), expected.end(), 30);
  CHECK(windows == expected);
  CHECK_NOTHROW(validation_batch(val, 9, 99, 1));
  CHECK_THROWS_AS(validation_batch(val, 9, 99, 2), mose::DataError);
  CHECK_THROWS_AS(validation_window_count(val, 9, 5), mose::ConfigError);
}

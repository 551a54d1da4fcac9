#include "core/data/unigram_baseline.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "base/errors.h"
#include "core/data/test_files.h"

using namespace mose::core::data;

TEST_CASE("unigram cross-entropy matches a hand computation", "[core][data]") {
  // Train ids {0, 0, 1}, V = 3: p = (2+1, 1+1, 0+1) / (3+3) = (1/2, 1/3, 1/6).
  // Val ids {0, 2}: H = -(ln 1/2 + ln 1/6) / 2 = ln(12) / 2.
  testing::TempDir dir;
  write_token_file(dir / "train.bin", std::vector<int32_t>{0, 0, 1}, TokenDtype::kUint16);
  write_token_file(dir / "val.bin", std::vector<int32_t>{0, 2}, TokenDtype::kUint16);
  const TokenFile train = TokenFile::open(dir / "train.bin", TokenDtype::kUint16, 3);
  const TokenFile val = TokenFile::open(dir / "val.bin", TokenDtype::kUint16, 3);
  CHECK(token_counts(train) == std::vector<int64_t>{2, 1, 0});
  CHECK(unigram_cross_entropy(train, val) == Approx(std::log(12.0) / 2).epsilon(1e-12));
}

TEST_CASE("unigram cross-entropy of a uniform corpus is ln V", "[core][data]") {
  const std::vector<int64_t> counts(256, 1000);
  CHECK(unigram_cross_entropy(counts, counts) == Approx(std::log(256.0)).epsilon(1e-12));
}

TEST_CASE("unigram cross-entropy rejects mismatched inputs", "[core][data]") {
  const std::vector<int64_t> three{1, 1, 1}, four{1, 1, 1, 1}, none{0, 0, 0};
  CHECK_THROWS_AS(unigram_cross_entropy(three, four), mose::DataError);
  CHECK_THROWS_AS(unigram_cross_entropy(three, none), mose::DataError);
}

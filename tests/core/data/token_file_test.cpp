#include "core/data/token_file.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "base/errors.h"
#include "core/data/batch_sampler.h"
#include "core/data/test_files.h"

using namespace mose::core::data;
namespace fs = std::filesystem;

TEST_CASE("nanoGPT uint16 files are read as written", "[core][data]") {
  testing::TempDir dir;
  const std::vector<uint16_t> ids{0, 1, 65535, 300, 42};
  testing::write_raw_tokens(dir / "a.bin", ids);
  const TokenFile file = TokenFile::open(dir / "a.bin", TokenDtype::kUint16, 65536);
  REQUIRE(file.size() == 5);
  for (size_t i = 0; i < ids.size(); ++i) CHECK(file[static_cast<int64_t>(i)] == ids[i]);
  std::vector<int32_t> window(3);
  file.copy(2, window);
  CHECK(window == std::vector<int32_t>{65535, 300, 42});
  CHECK_THROWS_AS(file.copy(3, window), mose::DataError);
  CHECK_THROWS_AS(file.copy(-1, window), mose::DataError);
}

TEST_CASE("nanoGPT uint32 files are read as written", "[core][data]") {
  testing::TempDir dir;
  const std::vector<uint32_t> ids{100000, 0, 70000, 99999};
  testing::write_raw_tokens(dir / "b.bin", ids);
  const TokenFile file = TokenFile::open(dir / "b.bin", TokenDtype::kUint32, 100001);
  REQUIRE(file.size() == 4);
  CHECK(file[0] == 100000);
  CHECK(file[2] == 70000);
  CHECK(file.dtype() == TokenDtype::kUint32);
}

TEST_CASE("write_token_file round-trips both dtypes and moves keep the open file", "[core][data]") {
  testing::TempDir dir;
  std::vector<int32_t> ids(200000);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>((i * 7919) % 70000);
  write_token_file(dir / "wide.bin", ids, TokenDtype::kUint32);
  CHECK(fs::file_size(dir / "wide.bin") == ids.size() * 4);
  TokenFile wide = TokenFile::open(dir / "wide.bin", TokenDtype::kUint32, 70000);
  TokenFile moved = std::move(wide);
  std::vector<int32_t> back(ids.size());
  moved.copy(0, back);
  CHECK(back == ids);

  for (auto& id : ids) id %= 50000;
  write_token_file(dir / "narrow.bin", ids, TokenDtype::kUint16);
  CHECK(fs::file_size(dir / "narrow.bin") == ids.size() * 2);
  const TokenFile narrow = TokenFile::open(dir / "narrow.bin", TokenDtype::kUint16, 50000);
  narrow.copy(0, back);
  CHECK(back == ids);

  CHECK_THROWS_AS(write_token_file(dir / "x.bin", std::vector<int32_t>{70000}, TokenDtype::kUint16), mose::DataError);
  CHECK_FALSE(fs::exists(dir / "x.bin"));
}

TEST_CASE("bad token files fail on open with the file named", "[core][data]") {
  testing::TempDir dir;
  SECTION("missing") { CHECK_THROWS_AS(TokenFile::open(dir / "none.bin", TokenDtype::kUint16, 10), mose::DataError); }
  SECTION("empty") {
    testing::write_raw_tokens(dir / "empty.bin", std::vector<uint16_t>{});
    CHECK_THROWS_AS(TokenFile::open(dir / "empty.bin", TokenDtype::kUint16, 10), mose::DataError);
    CHECK_THROWS_WITH(TokenFile::open(dir / "empty.bin", TokenDtype::kUint16, 10),
                      Catch::Contains("empty.bin") && Catch::Contains("0 bytes"));
  }
  SECTION("odd byte count") {
    testing::write_raw_tokens(dir / "odd.bin", std::vector<uint8_t>{1, 0, 2});
    CHECK_THROWS_WITH(TokenFile::open(dir / "odd.bin", TokenDtype::kUint16, 10),
                      Catch::Contains("odd.bin") && Catch::Contains("3 bytes") && Catch::Contains("multiple of 2"));
    testing::write_raw_tokens(dir / "six.bin", std::vector<uint8_t>{1, 0, 0, 0, 2, 0});
    CHECK_THROWS_WITH(TokenFile::open(dir / "six.bin", TokenDtype::kUint32, 10), Catch::Contains("multiple of 4"));
  }
  SECTION("id at or above the vocabulary, first offender reported") {
    std::vector<uint16_t> ids(100000, 3);
    ids[70001] = 10;
    ids[90000] = 500;
    testing::write_raw_tokens(dir / "big.bin", ids);
    CHECK_THROWS_AS(TokenFile::open(dir / "big.bin", TokenDtype::kUint16, 10), mose::DataError);
    CHECK_THROWS_WITH(TokenFile::open(dir / "big.bin", TokenDtype::kUint16, 10),
                      Catch::Contains("big.bin") && Catch::Contains("id 10 at token offset 70001") &&
                          Catch::Contains("byte offset 140002"));
    CHECK(TokenFile::open(dir / "big.bin", TokenDtype::kUint16, 501).size() == 100000);
  }
  SECTION("uint32 id past 2^31") {
    testing::write_raw_tokens(dir / "huge.bin", std::vector<uint32_t>{1, 3000000000u});
    CHECK_THROWS_WITH(TokenFile::open(dir / "huge.bin", TokenDtype::kUint32, 100),
                      Catch::Contains("id 3000000000 at token offset 1"));
  }
}

TEST_CASE("dtype helpers", "[core][data]") {
  CHECK(dtype_for_vocab(256) == TokenDtype::kUint16);
  CHECK(dtype_for_vocab(65536) == TokenDtype::kUint16);
  CHECK(dtype_for_vocab(65537) == TokenDtype::kUint32);
  CHECK(parse_dtype("uint32") == TokenDtype::kUint32);
  CHECK(dtype_name(TokenDtype::kUint16) == "uint16");
  CHECK_THROWS_AS(parse_dtype("int8"), mose::ConfigError);
}

TEST_CASE("a token file truncated after it was opened is a DataError naming it, not SIGBUS", "[core][data]") {
  testing::TempDir dir;
  std::vector<uint16_t> ids(1 << 20);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<uint16_t>(i % 251);
  testing::write_raw_tokens(dir / "train.bin", ids);
  const TokenFile file = TokenFile::open(dir / "train.bin", TokenDtype::kUint16, 256);

  SECTION("a window past the new end") {
    fs::resize_file(dir / "train.bin", 4096);
    std::vector<int32_t> window(64);
    file.copy(0, window);  // still inside the file
    CHECK(window[63] == 63);
    CHECK_THROWS_AS(file.copy(file.size() - 64, window), mose::DataError);
    CHECK_THROWS_WITH(file.copy(file.size() - 64, window),
                      Catch::Contains("train.bin") && Catch::Contains("4096 bytes") && Catch::Contains("truncated"));
  }
  SECTION("under a reader sampling batches") {
    std::atomic<bool> started{false};
    std::optional<std::string> error;
    std::thread reader([&] {
      try {
        for (int64_t step = 0; step < 1000000; ++step) {
          sample_batch(file, 1, step, 0, 8, 64);
          started = true;
        }
      } catch (const mose::DataError& e) {
        error = e.what();
      }
    });
    while (!started) std::this_thread::yield();
    fs::resize_file(dir / "train.bin", 8192);  // shorter than nearly every window start
    reader.join();
    REQUIRE(error);
    CHECK_THAT(*error, Catch::Contains((dir / "train.bin").string()) && Catch::Contains("truncated"));
  }
}

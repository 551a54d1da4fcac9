#include "core/data/dataset.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "base/errors.h"
#include "base/file_checksum.h"
#include "core/data/batch_sampler.h"
#include "core/data/test_files.h"
#include "core/data/unigram_baseline.h"

using namespace mose::core::data;
namespace fs = std::filesystem;

TEST_CASE("a text dataset prepares once and decodes back to its corpus", "[core][data]") {
  testing::TempDir dir;
  const std::string text = testing::synthetic_text(3000);
  testing::write_text(dir / "corpus.txt", text);
  DataConfig config;
  config.sources = {dir / "corpus.txt"};
  config.cache_dir = dir / "cache";
  config.split_block_bytes = 1024;

  const Dataset dataset = Dataset::open(config);
  REQUIRE(dataset.tokenizer() != nullptr);
  CHECK(dataset.tokenizer()->name() == "byte");
  CHECK(dataset.vocab_size() == 256);
  REQUIRE(dataset.prepared() != nullptr);
  CHECK(dataset.train().size() == dataset.prepared()->train_tokens);
  CHECK(dataset.val().size() == dataset.prepared()->val_tokens);
  CHECK(dataset.train().size() + dataset.val().size() == static_cast<int64_t>(text.size()));

  const auto row = sample_batch(dataset.train(), 3, 0, 0, 1, 64);
  CHECK(text.find(dataset.tokenizer()->decode(row)) != std::string::npos);

  const double baseline = unigram_cross_entropy(dataset.train(), dataset.val());
  CHECK(baseline > 1.0);
  CHECK(baseline < std::log(256.0));

  CHECK(Dataset::open(config).train().size() == dataset.train().size());
}

TEST_CASE("a damaged prepared token file is refused, naming it and both checksums", "[core][data]") {
  testing::TempDir dir;
  testing::write_text(dir / "corpus.txt", testing::synthetic_text(3000));
  DataConfig config;
  config.sources = {dir / "corpus.txt"};
  config.cache_dir = dir / "cache";
  config.split_block_bytes = 1024;
  const std::string recorded = Dataset::open(config).prepared()->train_checksum;
  // Flip the low bit of token 100: still a valid byte id, the same size, other bytes.
  const fs::path train = dir / "cache" / kTrainFile;
  {
    std::fstream file(train, std::ios::binary | std::ios::in | std::ios::out);
    file.seekg(200);
    const char low = static_cast<char>(file.get());
    file.seekp(200);
    file.put(static_cast<char>(low ^ 1));
  }
  CHECK_THROWS_AS(Dataset::open(config), mose::DataError);
  CHECK_THROWS_WITH(Dataset::open(config), Catch::Contains(train.string()) && Catch::Contains(recorded) &&
                                               Catch::Contains(mose::file_crc32(train).checksum) &&
                                               Catch::Contains("damaged"));
}

TEST_CASE("a SentencePiece dataset over a prefix of the default corpus", "[core][data]") {
  testing::TempDir dir;
  DataConfig config;
  config.tokenizer = "sentencepiece";
  config.vocab_size = 400;
  config.max_bytes = 200'000;
  config.split_block_bytes = 8192;
  config.cache_dir = dir / "cache";
  const Dataset dataset = Dataset::open(config);
  REQUIRE(dataset.tokenizer() != nullptr);
  CHECK(dataset.tokenizer()->name() == "sentencepiece");
  CHECK(dataset.vocab_size() == 400);
  CHECK(dataset.train().dtype() == TokenDtype::kUint16);
  const auto windows = validation_batch(dataset.val(), 32, 0, 1);
  CHECK_FALSE(dataset.tokenizer()->decode(windows).empty());
  CHECK(unigram_cross_entropy(dataset.train(), dataset.val()) < std::log(400.0));
}

TEST_CASE("a nanogpt dataset opens pre-tokenized files as they are", "[core][data]") {
  testing::TempDir dir;
  DataConfig config;
  config.format = "nanogpt";
  config.nanogpt_dir = dir.path();

  SECTION("uint16") {
    testing::write_raw_tokens(dir / "train.bin", std::vector<uint16_t>{1, 2, 50256, 7});
    testing::write_raw_tokens(dir / "val.bin", std::vector<uint16_t>{3, 4});
    config.vocab_size = 50257;
    const Dataset dataset = Dataset::open(config);
    CHECK(dataset.tokenizer() == nullptr);
    CHECK(dataset.prepared() == nullptr);
    CHECK(dataset.vocab_size() == 50257);
    CHECK(dataset.train().size() == 4);
    CHECK(dataset.train()[2] == 50256);
    CHECK(dataset.val().size() == 2);
  }
  SECTION("uint32") {
    testing::write_raw_tokens(dir / "train.bin", std::vector<uint32_t>{100, 199999});
    testing::write_raw_tokens(dir / "val.bin", std::vector<uint32_t>{5});
    config.token_dtype = "uint32";
    config.vocab_size = 200000;
    const Dataset dataset = Dataset::open(config);
    CHECK(dataset.train()[1] == 199999);
    CHECK(dataset.val()[0] == 5);
  }
  SECTION("ids beyond the configured vocabulary") {
    testing::write_raw_tokens(dir / "train.bin", std::vector<uint16_t>{1, 2});
    testing::write_raw_tokens(dir / "val.bin", std::vector<uint16_t>{3, 60000});
    config.vocab_size = 50257;
    CHECK_THROWS_WITH(Dataset::open(config),
                      Catch::Contains("val.bin") && Catch::Contains("id 60000 at token offset 1"));
  }
  SECTION("missing val.bin") {
    testing::write_raw_tokens(dir / "train.bin", std::vector<uint16_t>{1, 2});
    config.vocab_size = 10;
    CHECK_THROWS_AS(Dataset::open(config), mose::DataError);
    CHECK_THROWS_WITH(Dataset::open(config), Catch::Contains("val.bin"));
  }
}

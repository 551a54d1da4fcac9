#include "core/data/data_config.h"

#include <catch2/catch.hpp>

#include "base/errors.h"

using namespace mose::core::data;

namespace {

DataConfig valid_text() {
  DataConfig config;
  config.cache_dir = "/tmp/mose-cache";
  return config;
}

void check_rejects(const DataConfig& config, const std::string& field) {
  INFO(field);
  CHECK_THROWS_AS(config.validate(), mose::ConfigError);
  CHECK_THROWS_WITH(config.validate(), Catch::Contains(field));
}

}  // namespace

TEST_CASE("the default text config reads GCIDE with the byte tokenizer", "[core][data]") {
  const DataConfig config = valid_text();
  CHECK_NOTHROW(config.validate());
  REQUIRE(config.sources.size() == 1);
  CHECK(config.sources[0] == kDefaultCorpus);
  CHECK(config.tokenizer == "byte");
}

TEST_CASE("invalid data settings are rejected with the field named", "[core][data]") {
  DataConfig config = valid_text();
  config.format = "csv";
  check_rejects(config, "data.format = 'csv'");

  config = valid_text();
  config.sources.clear();
  check_rejects(config, "data.sources");

  for (const double fraction : {0.0, 1.0, -0.5, std::nan("")}) {
    config = valid_text();
    config.val_fraction = fraction;
    check_rejects(config, "data.val_fraction");
  }

  config = valid_text();
  config.max_bytes = -1;
  check_rejects(config, "data.max_bytes = -1");

  config = valid_text();
  config.split_block_bytes = 10;
  check_rejects(config, "data.split_block_bytes = 10");

  config = valid_text();
  config.cache_dir.clear();
  check_rejects(config, "data.cache_dir");

  config = valid_text();
  config.tokenizer = "wordpiece";
  check_rejects(config, "data.tokenizer = 'wordpiece'");

  config = valid_text();
  config.vocab_size = 512;
  check_rejects(config, "data.vocab_size = 512");  // byte has 256

  config = valid_text();
  config.tokenizer = "sentencepiece";
  check_rejects(config, "data.vocab_size = 0");  // nothing to train to
  config.vocab_size = 4096;
  CHECK_NOTHROW(config.validate());
}

TEST_CASE("data settings have upper bounds", "[core][data]") {
  DataConfig config = valid_text();
  config.max_bytes = (int64_t{1} << 40) + 1;
  check_rejects(config, "data.max_bytes = 1099511627777");
  config.max_bytes = int64_t{1} << 40;
  CHECK_NOTHROW(config.validate());

  config = valid_text();
  config.max_tokenizer_sentences = 100'000'001;
  check_rejects(config, "data.max_tokenizer_sentences = 100000001");

  config = valid_text();
  config.tokenizer = "sentencepiece";
  config.vocab_size = (int64_t{1} << 24) + 1;
  check_rejects(config, "data.vocab_size = 16777217");

  config = DataConfig{};
  config.format = "nanogpt";
  config.nanogpt_dir = "/data/owt";
  config.vocab_size = 2'000'000'000;
  check_rejects(config, "data.vocab_size = 2000000000");
  config.vocab_size = int64_t{1} << 24;
  CHECK_NOTHROW(config.validate());
}

TEST_CASE("nanogpt configs need a folder, a dtype and the vocabulary size", "[core][data]") {
  DataConfig config;
  config.format = "nanogpt";
  config.nanogpt_dir = "/data/owt";
  check_rejects(config, "data.vocab_size");
  config.vocab_size = 50257;
  CHECK_NOTHROW(config.validate());
  config.token_dtype = "int16";
  check_rejects(config, "data.token_dtype = 'int16'");
  config.token_dtype = "uint32";
  config.nanogpt_dir.clear();
  check_rejects(config, "data.nanogpt_dir");
}

#include "core/data/prepared_meta.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "core/data/test_files.h"

using namespace mose::core::data;

TEST_CASE("meta.txt round-trips through format and parse", "[core][data]") {
  PreparedMeta meta{.fingerprint = "0123456789abcdef",
                    .tokenizer = "sentencepiece",
                    .vocab_size = 70000,
                    .dtype = TokenDtype::kUint32,
                    .train_tokens = 900,
                    .val_tokens = 100,
                    .text_bytes = 2000,
                    .blocks = 10,
                    .val_blocks = 1,
                    .train_checksum = "crc32:0123abcd",
                    .val_checksum = "crc32:89ef4567",
                    .inputs = {"input.prep_version = 1", "input.source = /a b.txt bytes=3 mtime_ns=4"}};
  const std::string text = format_meta(meta);
  const PreparedMeta back = parse_meta(text, "meta.txt");
  CHECK(back.fingerprint == meta.fingerprint);
  CHECK(back.tokenizer == meta.tokenizer);
  CHECK(back.vocab_size == 70000);
  CHECK(back.dtype == TokenDtype::kUint32);
  CHECK(back.train_tokens == 900);
  CHECK(back.val_tokens == 100);
  CHECK(back.text_bytes == 2000);
  CHECK(back.blocks == 10);
  CHECK(back.val_blocks == 1);
  CHECK(back.train_checksum == "crc32:0123abcd");
  CHECK(back.val_checksum == "crc32:89ef4567");
  CHECK(back.inputs == meta.inputs);
  CHECK(format_meta(back) == text);
}

TEST_CASE("malformed meta.txt names the file and line", "[core][data]") {
  CHECK_THROWS_WITH(parse_meta("fingerprint = ab\nvocab_size = many\n", "/c/meta.txt"),
                    Catch::Contains("/c/meta.txt:2") && Catch::Contains("many"));
  CHECK_THROWS_WITH(parse_meta("fingerprint = ab\ngarbage\n", "/c/meta.txt"), Catch::Contains("/c/meta.txt:2"));
  CHECK_THROWS_WITH(parse_meta("fingerprint = ab\n", "/c/meta.txt"), Catch::Contains("'tokenizer'"));
  testing::TempDir dir;
  CHECK_FALSE(read_meta(dir / "meta.txt").has_value());
}

TEST_CASE("the fingerprint covers settings and sources but not the cache folder", "[core][data]") {
  testing::TempDir dir;
  testing::write_text(dir / "a.txt", "alpha\n");
  const std::vector<std::filesystem::path> files{dir / "a.txt"};
  DataConfig config;
  config.cache_dir = dir / "cache1";
  const std::string base = fingerprint_of(fingerprint_inputs(config, files));
  CHECK(base.size() == 16);

  DataConfig other_cache = config;
  other_cache.cache_dir = dir / "cache2";
  CHECK(fingerprint_of(fingerprint_inputs(other_cache, files)) == base);

  DataConfig other_fraction = config;
  other_fraction.val_fraction = 0.2;
  CHECK(fingerprint_of(fingerprint_inputs(other_fraction, files)) != base);

  DataConfig other_tokenizer = config;
  other_tokenizer.tokenizer = "sentencepiece";
  other_tokenizer.vocab_size = 512;
  CHECK(fingerprint_of(fingerprint_inputs(other_tokenizer, files)) != base);

  testing::write_text(dir / "a.txt", "alpha, changed\n");
  CHECK(fingerprint_of(fingerprint_inputs(config, files)) != base);
}

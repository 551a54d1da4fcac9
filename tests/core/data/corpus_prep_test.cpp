#include "core/data/corpus_prep.h"

#include <catch2/catch.hpp>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "base/file_checksum.h"
#include "core/data/corpus_split.h"
#include "core/data/sentencepiece_tokenizer.h"
#include "core/data/test_files.h"
#include "core/data/text_source.h"

using namespace mose::core::data;
namespace fs = std::filesystem;

namespace {

DataConfig small_config(const fs::path& source, const fs::path& cache) {
  DataConfig config;
  config.sources = {source};
  config.cache_dir = cache;
  config.split_block_bytes = 1024;
  config.val_fraction = 0.1;
  return config;
}

void check_same_files(const fs::path& a, const fs::path& b, std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    INFO(name);
    CHECK(mose::read_file(a / name) == mose::read_file(b / name));
  }
}

}  // namespace

TEST_CASE("byte corpus preparation is deterministic and keeps every byte", "[core][data]") {
  testing::TempDir dir;
  const std::string text = testing::synthetic_text(5000);
  testing::write_text(dir / "corpus.txt", text);
  const auto first = prepare_text_corpus(small_config(dir / "corpus.txt", dir / "cache1"));
  const auto second = prepare_text_corpus(small_config(dir / "corpus.txt", dir / "cache2"));
  CHECK_FALSE(first.reused);
  CHECK_FALSE(second.reused);
  check_same_files(dir / "cache1", dir / "cache2", {kTrainFile, kValFile, kMetaFile});

  const PreparedMeta& meta = first.meta;
  CHECK(meta.tokenizer == "byte");
  CHECK(meta.vocab_size == 256);
  CHECK(meta.dtype == TokenDtype::kUint16);
  CHECK(meta.train_tokens + meta.val_tokens == static_cast<int64_t>(text.size()));
  CHECK(fs::file_size(dir / "cache1" / kTrainFile) == static_cast<uint64_t>(meta.train_tokens) * 2);
  const double val_share = static_cast<double>(meta.val_tokens) / static_cast<double>(text.size());
  CHECK(std::abs(val_share - 0.1) < 0.06);

  // val.bin is exactly the held-out blocks, in corpus order.
  std::string expected_val;
  for (const auto& block : split_into_blocks(text, 1024, 0.1)) {
    if (!block.val) continue;
    expected_val += text.substr(static_cast<size_t>(block.begin), static_cast<size_t>(block.end - block.begin));
  }
  const TokenFile val = TokenFile::open(dir / "cache1" / kValFile, TokenDtype::kUint16, 256);
  std::string decoded;
  for (int64_t i = 0; i < val.size(); ++i) decoded.push_back(static_cast<char>(val[i]));
  CHECK(decoded == expected_val);
}

TEST_CASE("a prepared corpus is reused while its fingerprint matches", "[core][data]") {
  testing::TempDir dir;
  testing::write_text(dir / "corpus.txt", testing::synthetic_text(3000));
  DataConfig config = small_config(dir / "corpus.txt", dir / "cache");
  const auto first = prepare_text_corpus(config);
  const auto written = fs::last_write_time(dir / "cache" / kTrainFile);

  const auto again = prepare_text_corpus(config);
  CHECK(again.reused);
  CHECK(again.meta.fingerprint == first.meta.fingerprint);
  CHECK(again.meta.train_tokens == first.meta.train_tokens);
  CHECK(fs::last_write_time(dir / "cache" / kTrainFile) == written);

  SECTION("a changed setting re-prepares") {
    config.val_fraction = 0.3;
    const auto changed = prepare_text_corpus(config);
    CHECK_FALSE(changed.reused);
    CHECK(changed.meta.fingerprint != first.meta.fingerprint);
    CHECK(changed.meta.val_tokens > first.meta.val_tokens);
    CHECK(read_meta(dir / "cache" / kMetaFile)->fingerprint == changed.meta.fingerprint);
    CHECK(prepare_text_corpus(config).reused);
  }
  SECTION("a changed source re-prepares") {
    testing::write_text(dir / "corpus.txt", testing::synthetic_text(3500));
    const auto changed = prepare_text_corpus(config);
    CHECK_FALSE(changed.reused);
    CHECK(changed.meta.train_tokens > first.meta.train_tokens);
  }
  SECTION("a missing token file re-prepares") {
    fs::remove(dir / "cache" / kValFile);
    CHECK_FALSE(prepare_text_corpus(config).reused);
    CHECK(fs::exists(dir / "cache" / kValFile));
  }
  SECTION("a meta.txt without token-file checksums (an older cache) re-prepares and records them") {
    CHECK(first.meta.train_checksum == mose::file_crc32(dir / "cache" / kTrainFile).checksum);
    CHECK(first.meta.val_checksum == mose::file_crc32(dir / "cache" / kValFile).checksum);
    PreparedMeta legacy = first.meta;
    legacy.train_checksum.clear();
    legacy.val_checksum.clear();
    testing::write_text(dir / "cache" / kMetaFile, format_meta(legacy));
    CHECK_FALSE(prepare_text_corpus(config).reused);
    CHECK(read_meta(dir / "cache" / kMetaFile)->train_checksum == first.meta.train_checksum);
  }
  SECTION("a corrupt meta.txt re-prepares") {
    testing::write_text(dir / "cache" / kMetaFile, "fingerprint = x\nvocab_size = lots\n");
    CHECK_FALSE(prepare_text_corpus(config).reused);
    CHECK(read_meta(dir / "cache" / kMetaFile)->fingerprint == first.meta.fingerprint);
  }
}

TEST_CASE("gzip sources prepare to the same tokens as plain ones", "[core][data]") {
  testing::TempDir dir;
  const std::string text = testing::synthetic_text(3000);
  testing::write_text(dir / "plain/corpus.txt", text);
  testing::write_gzip(dir / "packed/corpus.txt.gz", text);
  prepare_text_corpus(small_config(dir / "plain", dir / "cache_plain"));
  prepare_text_corpus(small_config(dir / "packed", dir / "cache_packed"));
  check_same_files(dir / "cache_plain", dir / "cache_packed", {kTrainFile, kValFile});
}

TEST_CASE("SentencePiece corpus preparation is deterministic", "[core][data]") {
  testing::TempDir dir;
  const auto config_for = [&](std::string_view cache) {
    DataConfig config;
    config.tokenizer = "sentencepiece";
    config.vocab_size = 400;
    config.max_bytes = 200'000;
    config.split_block_bytes = 8192;
    config.cache_dir = dir / cache;
    return config;
  };
  const auto first = prepare_text_corpus(config_for("a"));
  prepare_text_corpus(config_for("b"));
  check_same_files(dir / "a", dir / "b", {kTrainFile, kValFile, kMetaFile, kSentencePieceModelFile});
  CHECK(first.meta.vocab_size == 400);
  CHECK(first.meta.text_bytes <= 200'000);
  CHECK(first.meta.val_blocks >= 1);
  // BPE compresses: fewer tokens than bytes.
  CHECK(first.meta.train_tokens + first.meta.val_tokens < first.meta.text_bytes * 3 / 4);
}

TEST_CASE("preparation refuses sources inside the cache folder and non-text formats", "[core][data]") {
  testing::TempDir dir;
  testing::write_text(dir / "cache/notes.txt", testing::synthetic_text(200));
  CHECK_THROWS_AS(prepare_text_corpus(small_config(dir / "cache", dir / "cache")), mose::ConfigError);
  DataConfig nanogpt;
  nanogpt.format = "nanogpt";
  nanogpt.nanogpt_dir = dir.path();
  nanogpt.vocab_size = 10;
  CHECK_THROWS_AS(prepare_text_corpus(nanogpt), mose::ConfigError);
}

#include "core/data/sentencepiece_tokenizer.h"

#include <catch2/catch.hpp>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "core/data/data_config.h"
#include "core/data/test_files.h"
#include "core/data/text_source.h"

using namespace mose::core::data;

namespace {

// A few hundred KB of the default corpus: enough for a 512-piece BPE in well under a second.
const std::string& corpus_prefix() {
  static const std::string text = read_text_files({std::filesystem::path(kDefaultCorpus)}, 300'000);
  return text;
}

}  // namespace

TEST_CASE("SentencePiece trains deterministically and round-trips text", "[core][data]") {
  testing::TempDir dir;
  train_sentencepiece(corpus_prefix(), 512, 100'000, dir / "a.model");
  train_sentencepiece(corpus_prefix(), 512, 100'000, dir / "b.model");
  CHECK(mose::read_file(dir / "a.model") == mose::read_file(dir / "b.model"));

  const auto tokenizer = load_sentencepiece(dir / "a.model");
  CHECK(tokenizer->name() == "sentencepiece");
  CHECK(tokenizer->vocab_size() == 512);

  const std::string_view sample = std::string_view(corpus_prefix()).substr(100'000, 20'000);
  const auto ids = tokenizer->encode(sample);
  CHECK(tokenizer->decode(ids) == sample);
  // BPE merges must actually compress English compared with one token per byte.
  CHECK(static_cast<double>(ids.size()) < 0.6 * static_cast<double>(sample.size()));
  for (const int32_t id : ids) REQUIRE((id >= 0 && id < tokenizer->vocab_size()));

  // Byte fallback: characters the model never saw, odd whitespace, control bytes.
  const std::string unusual = std::string("  \t日本語 ☃\n\n  double  spaces \x01\x1b[0m end  ") + '\0';
  CHECK(tokenizer->decode(tokenizer->encode(unusual)) == unusual);
  // SentencePiece reads UTF-8: an invalid byte comes back as U+FFFD.
  CHECK(tokenizer->decode(tokenizer->encode("a\xff" "b")) == "a\xef\xbf\xbd" "b");
}

TEST_CASE("SentencePiece sampling keeps at most max_sentences lines", "[core][data]") {
  testing::TempDir dir;
  train_sentencepiece(corpus_prefix(), 400, 500, dir / "few.model");
  train_sentencepiece(corpus_prefix(), 400, 100'000, dir / "all.model");
  CHECK(mose::read_file(dir / "few.model") != mose::read_file(dir / "all.model"));
  CHECK(load_sentencepiece(dir / "few.model")->vocab_size() <= 400);
}

TEST_CASE("the sentencepiece registry entry validates, trains and adopts models", "[core][data]") {
  const TokenizerKind& kind = sentencepiece_tokenizer_kind();
  TokenizerSettings too_small;
  too_small.name = "sentencepiece";
  too_small.vocab_size = 100;
  CHECK_THROWS_WITH(kind.validate(too_small), Catch::Contains("data.vocab_size = 100"));
  TokenizerSettings no_model;
  no_model.name = "sentencepiece";
  no_model.model = "/nonexistent/x.model";
  CHECK_THROWS_WITH(kind.validate(no_model),
                    Catch::Contains("data.tokenizer_model") && Catch::Contains("/nonexistent/x.model"));

  testing::TempDir trained_dir, adopted_dir;
  const TokenizerSettings train{
      .name = "sentencepiece", .vocab_size = 400, .model = {}, .max_training_sentences = 100'000};
  const auto trained = kind.build(train, corpus_prefix(), trained_dir.path());
  CHECK(std::filesystem::exists(trained_dir / kSentencePieceModelFile));
  CHECK(kind.load(trained_dir.path())->encode("dictionary") == trained->encode("dictionary"));

  TokenizerSettings adopt;
  adopt.name = "sentencepiece";
  adopt.model = trained_dir / kSentencePieceModelFile;
  const auto adopted = kind.build(adopt, "", adopted_dir.path());
  CHECK(adopted->vocab_size() == trained->vocab_size());
  CHECK(mose::read_file(adopted_dir / kSentencePieceModelFile) ==
        mose::read_file(trained_dir / kSentencePieceModelFile));

  TokenizerSettings mismatched = adopt;
  mismatched.vocab_size = 1000;
  CHECK_THROWS_AS(kind.build(mismatched, "", adopted_dir.path()), mose::ConfigError);
}

TEST_CASE("loading a missing or corrupt SentencePiece model names the file", "[core][data]") {
  testing::TempDir dir;
  CHECK_THROWS_WITH(load_sentencepiece(dir / "missing.model"), Catch::Contains("missing.model"));
  testing::write_text(dir / "junk.model", "not a protobuf");
  CHECK_THROWS_AS(load_sentencepiece(dir / "junk.model"), mose::DataError);
  CHECK_THROWS_WITH(load_sentencepiece(dir / "junk.model"), Catch::Contains("junk.model"));
}

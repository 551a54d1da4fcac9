// Validation of DataConfig: every check names the field as "data.<field>",
// the value found and what was expected.
#include "core/data/data_config.h"

#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"

namespace mose::core::data {
namespace {

// A prefix beyond 1 TiB is no limit at all: the corpus is read into memory whole.
constexpr int64_t kMaxBytes = int64_t{1} << 40;
// SentencePiece holds its training sample in memory: 1e8 lines is ~10 GB of text.
constexpr int64_t kMaxTokenizerSentences = 100'000'000;

void validate_text(const DataConfig& config) {
  if (config.sources.empty()) {
    throw ConfigError("data.sources is empty; expected at least one text file or folder");
  }
  for (const auto& source : config.sources) {
    if (source.empty()) throw ConfigError("data.sources contains an empty path");
  }
  if (!std::isfinite(config.val_fraction) || config.val_fraction <= 0.0 || config.val_fraction >= 1.0) {
    throw ConfigError(fmt::format("data.val_fraction = {}; expected a number in (0, 1)", config.val_fraction));
  }
  if (config.max_bytes < 0 || config.max_bytes > kMaxBytes) {
    throw ConfigError(fmt::format("data.max_bytes = {}; expected 0 (whole corpus) or a byte count up to {}",
                                  config.max_bytes, kMaxBytes));
  }
  // Blocks far below a few lines would make the split line-by-line; far above
  // 1 GiB would make a typical corpus a single block.
  if (config.split_block_bytes < 256 || config.split_block_bytes > (int64_t{1} << 30)) {
    throw ConfigError(fmt::format("data.split_block_bytes = {}; expected 256 to 1073741824", config.split_block_bytes));
  }
  if (config.max_tokenizer_sentences < 1 || config.max_tokenizer_sentences > kMaxTokenizerSentences) {
    throw ConfigError(fmt::format("data.max_tokenizer_sentences = {}; expected 1 to {}", config.max_tokenizer_sentences,
                                  kMaxTokenizerSentences));
  }
  if (config.vocab_size > kMaxVocabSize) {
    throw ConfigError(fmt::format("data.vocab_size = {}; expected at most {}", config.vocab_size, kMaxVocabSize));
  }
  if (config.cache_dir.empty()) {
    throw ConfigError("data.cache_dir is empty; expected a folder for the prepared token files");
  }
  const TokenizerKind& kind = find_tokenizer(config.tokenizer);
  kind.validate(tokenizer_settings(config));
}

void validate_nanogpt(const DataConfig& config) {
  if (config.nanogpt_dir.empty()) {
    throw ConfigError("data.nanogpt_dir is empty; expected the folder holding train.bin and val.bin");
  }
  if (config.token_dtype != "uint16" && config.token_dtype != "uint32") {
    throw ConfigError(fmt::format("data.token_dtype = '{}'; expected 'uint16' or 'uint32'", config.token_dtype));
  }
  // nanoGPT files carry no header, so nothing but the config says how many ids exist.
  if (config.vocab_size < 1 || config.vocab_size > kMaxVocabSize) {
    throw ConfigError(
        fmt::format("data.vocab_size = {}; format 'nanogpt' requires the vocabulary size "
                    "of its token files (1 to {})",
                    config.vocab_size, kMaxVocabSize));
  }
}

}  // namespace

void DataConfig::validate() const {
  if (format == "text") {
    validate_text(*this);
  } else if (format == "nanogpt") {
    validate_nanogpt(*this);
  } else {
    throw ConfigError(fmt::format("data.format = '{}'; expected 'text' or 'nanogpt'", format));
  }
}

TokenizerSettings tokenizer_settings(const DataConfig& config) {
  return TokenizerSettings{.name = config.tokenizer,
                           .vocab_size = config.vocab_size,
                           .model = config.tokenizer_model,
                           .max_training_sentences = config.max_tokenizer_sentences};
}

}  // namespace mose::core::data

// The tokenizer interface and the tiny registry that picks an implementation
// by name ("byte", "sentencepiece"). Implementations live in their own files
// and hide their libraries: no SentencePiece header leaks from here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mose::core::data {

// Text <-> token ids. encode/decode are const and safe to call from several
// threads at once (corpus preparation encodes blocks in parallel).
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // Every id is in [0, vocab_size()). decode(encode(text)) == text for any
  // valid UTF-8 (the byte tokenizer: for any bytes at all).
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;
  // Throws DataError for an id outside [0, vocab_size()).
  virtual std::string decode(std::span<const int32_t> ids) const = 0;
  virtual int64_t vocab_size() const = 0;
  virtual std::string_view name() const = 0;
};

// The tokenizer part of DataConfig, so tokenizers do not depend on it.
struct TokenizerSettings {
  std::string name = "byte";
  int64_t vocab_size = 0;                  // size to train; 0 = the implementation's own
  std::filesystem::path model;             // a trained model to adopt instead of training
  int64_t max_training_sentences = 200000;
};

// One registry entry. build() makes the tokenizer for a new corpus (training
// on `training_text` or adopting settings.model) and saves under `dir` what
// load() needs to rebuild the identical tokenizer later.
struct TokenizerKind {
  std::string_view name;
  // Throws ConfigError naming the offending "data.<field>".
  void (*validate)(const TokenizerSettings& settings);
  std::unique_ptr<Tokenizer> (*build)(const TokenizerSettings& settings, std::string_view training_text,
                                      const std::filesystem::path& dir);
  std::unique_ptr<Tokenizer> (*load)(const std::filesystem::path& dir);
};

// Throws ConfigError "unknown tokenizer 'x'; known: byte, sentencepiece".
const TokenizerKind& find_tokenizer(std::string_view name);
std::vector<std::string_view> tokenizer_names();

}  // namespace mose::core::data

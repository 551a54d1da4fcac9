// The byte tokenizer and its registry entry.
#include "core/data/byte_tokenizer.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace mose::core::data {

std::vector<int32_t> ByteTokenizer::encode(std::string_view text) const {
  std::vector<int32_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i) ids[i] = static_cast<unsigned char>(text[i]);
  return ids;
}

std::string ByteTokenizer::decode(std::span<const int32_t> ids) const {
  std::string text(ids.size(), '\0');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= kVocabSize) {
      throw DataError(fmt::format("byte tokenizer: id {} at position {} is outside [0, 256)", ids[i], i));
    }
    text[i] = static_cast<char>(static_cast<unsigned char>(ids[i]));
  }
  return text;
}

namespace {

void validate_byte(const TokenizerSettings& settings) {
  if (settings.vocab_size != 0 && settings.vocab_size != ByteTokenizer::kVocabSize) {
    throw ConfigError(fmt::format("data.vocab_size = {}; the byte tokenizer has exactly 256 tokens (use 0 or 256)",
                                  settings.vocab_size));
  }
  if (!settings.model.empty()) {
    throw ConfigError(fmt::format("data.tokenizer_model = '{}'; the byte tokenizer takes no model file",
                                  settings.model.string()));
  }
}

std::unique_ptr<Tokenizer> build_byte(const TokenizerSettings&, std::string_view, const std::filesystem::path&) {
  return std::make_unique<ByteTokenizer>();
}

std::unique_ptr<Tokenizer> load_byte(const std::filesystem::path&) { return std::make_unique<ByteTokenizer>(); }

}  // namespace

const TokenizerKind& byte_tokenizer_kind() {
  static constexpr TokenizerKind kind{"byte", validate_byte, build_byte, load_byte};
  return kind;
}

}  // namespace mose::core::data

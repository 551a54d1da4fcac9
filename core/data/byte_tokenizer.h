// The byte tokenizer: one token per byte, vocabulary 256, no dependency and
// no training. Any byte string round-trips, including invalid UTF-8.
#pragma once

#include "core/data/tokenizer.h"

namespace mose::core::data {

class ByteTokenizer final : public Tokenizer {
 public:
  static constexpr int64_t kVocabSize = 256;

  std::vector<int32_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int32_t> ids) const override;
  int64_t vocab_size() const override { return kVocabSize; }
  std::string_view name() const override { return "byte"; }
};

// The registry entry for "byte".
const TokenizerKind& byte_tokenizer_kind();

}  // namespace mose::core::data

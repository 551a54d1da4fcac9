// Dataset: everything training needs from a DataConfig. For "text" it
// prepares (or reuses) the cache folder and loads the tokenizer; for
// "nanogpt" it opens the given train.bin / val.bin as they are.
#pragma once

#include <memory>
#include <optional>

#include "core/data/data_config.h"
#include "core/data/prepared_meta.h"
#include "core/data/token_file.h"
#include "core/data/tokenizer.h"

namespace mose::core::data {

class Dataset {
 public:
  // Validates `config`, then prepares/opens. Throws ConfigError, DataError
  // or IoError naming the setting or file at fault.
  static Dataset open(const DataConfig& config);

  const TokenFile& train() const { return train_; }
  const TokenFile& val() const { return val_; }
  // The text tokenizer; nullptr for "nanogpt" (its ids come pre-tokenized).
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }
  int64_t vocab_size() const { return train_.vocab_size(); }
  // What was prepared ("text" only; nullptr for "nanogpt").
  const PreparedMeta* prepared() const { return prepared_ ? &*prepared_ : nullptr; }

 private:
  Dataset(TokenFile train, TokenFile val, std::unique_ptr<Tokenizer> tokenizer, std::optional<PreparedMeta> prepared);
  static Dataset open_text(const DataConfig& config);
  static Dataset open_nanogpt(const DataConfig& config);

  TokenFile train_;
  TokenFile val_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::optional<PreparedMeta> prepared_;
};

}  // namespace mose::core::data

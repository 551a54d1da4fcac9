// SentencePiece BPE tokenizer: trained on the corpus with a requested
// vocabulary size (deterministically) or adopted from a given .model file.
// The SentencePiece headers stay inside sentencepiece_tokenizer.cpp.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "core/data/tokenizer.h"

namespace mose::core::data {

// The model's file name inside a prepared corpus folder.
inline constexpr std::string_view kSentencePieceModelFile = "tokenizer.model";

// Trains a BPE model on the non-empty lines of `text` and writes it to
// `model_path` atomically. When there are more than `max_sentences` lines, an
// evenly spaced subset is used (line floor(k * lines / max_sentences) for k <
// max_sentences), so the sample covers the whole corpus and is the same every
// time. Settings: byte_fallback (characters outside the vocabulary become
// byte pieces), identity normalization, no extra-whitespace removal and no
// dummy prefix, so decode gives back exactly any valid UTF-8 input (the
// library reads text as UTF-8: an invalid byte comes back as U+FFFD); one
// thread, fixed seed, no shuffling. The library may stop below `vocab_size`
// on a small corpus; a warning is logged.
// Throws DataError naming the model path with SentencePiece's message.
void train_sentencepiece(std::string_view text, int64_t vocab_size, int64_t max_sentences,
                         const std::filesystem::path& model_path);

// Loads a .model; throws DataError naming the path when it cannot be used.
std::unique_ptr<Tokenizer> load_sentencepiece(const std::filesystem::path& model_path);

// The registry entry for "sentencepiece": build() trains into
// dir/tokenizer.model, or copies settings.model there; load() reads it back.
const TokenizerKind& sentencepiece_tokenizer_kind();

}  // namespace mose::core::data

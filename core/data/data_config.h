// DataConfig: which corpus a run trains on and how it is tokenized. A plain
// struct filled once at the edge (recipe -> struct), validated with validate(),
// then passed down to Dataset::open. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/tokenizer.h"

namespace mose::core::data {

// The default corpus: GCIDE (Webster's Revised Unabridged Dictionary of 1913
// plus WordNet), about 40 MB of English prose stored as dictzip, which is
// gzip-compatible and therefore read by zlib like any .gz file.
inline constexpr std::string_view kDefaultCorpus = "/usr/share/dictd/gcide.dict.dz";
inline constexpr std::string_view kDefaultCorpusPackage = "dict-gcide";

// The largest vocabulary a run may have: 2^24 = 16.8M ids, 64x the largest in use
// (Gemma's 256k). Larger values are typos, and an embedding that size would not fit.
inline constexpr int64_t kMaxVocabSize = int64_t{1} << 24;

// Size of the blocks the train/val split assigns whole (see corpus_split.h).
inline constexpr int64_t kDefaultSplitBlockBytes = 64 * 1024;

struct DataConfig {
  // "text": plain-text sources tokenized into a cache folder;
  // "nanogpt": a folder holding pre-tokenized train.bin and val.bin.
  std::string format = "text";

  // --- format = "text" ---
  // Files or folders (walked recursively, in sorted path order). Files may be
  // plain or gzip/dictzip compressed.
  std::vector<std::filesystem::path> sources{std::filesystem::path(kDefaultCorpus)};
  std::string tokenizer = "byte";         // a name from tokenizer_names()
  std::filesystem::path tokenizer_model;  // sentencepiece: adopt this .model instead of training
  double val_fraction = 0.1;              // expected share of blocks held out for validation
  int64_t max_bytes = 0;                  // use only a prefix of whole lines of the corpus; 0 = all
  int64_t split_block_bytes = kDefaultSplitBlockBytes;
  int64_t max_tokenizer_sentences = 200000;  // sentencepiece training sample (lines), for speed
  std::filesystem::path cache_dir;           // prepared train.bin / val.bin / meta.txt go here

  // --- format = "nanogpt" ---
  std::filesystem::path nanogpt_dir;   // holds train.bin and val.bin
  std::string token_dtype = "uint16";  // "uint16" or "uint32", little-endian, no header

  // nanogpt: required, every id must be below it. sentencepiece: the size to
  // train (0 when adopting a model: taken from it). byte: 0 or 256.
  int64_t vocab_size = 0;

  // Throws ConfigError naming the field ("data.<field>"), the value and what was expected.
  void validate() const;
};

// The tokenizer fields of a text config, in the form the tokenizer registry takes.
TokenizerSettings tokenizer_settings(const DataConfig& config);

}  // namespace mose::core::data

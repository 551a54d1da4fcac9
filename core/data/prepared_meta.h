// meta.txt of a prepared corpus folder: what the token files hold and the
// fingerprint of everything they were made from.
//
// Format: UTF-8 text, one "key = value" per line, '#' starts a comment line.
//   fingerprint = <16 hex digits: FNV-1a 64 of the input.* lines joined by '\n'>
//   tokenizer = byte | sentencepiece
//   vocab_size, train_tokens, val_tokens, text_bytes, blocks, val_blocks = <integer>
//   dtype = uint16 | uint32
//   train_checksum, val_checksum = crc32:<8 hex digits>   (of train.bin / val.bin as written)
//   input.<name> = <value>      (the settings and sources, see fingerprint_inputs)
// Unknown keys are ignored so that newer writers stay readable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/data_config.h"
#include "core/data/token_file.h"

namespace mose::core::data {

// Bump when preparation would produce different files from the same inputs,
// so that existing caches are re-prepared.
inline constexpr int kPrepVersion = 1;

inline constexpr std::string_view kMetaFile = "meta.txt";
inline constexpr std::string_view kTrainFile = "train.bin";
inline constexpr std::string_view kValFile = "val.bin";

struct PreparedMeta {
  std::string fingerprint;
  std::string tokenizer;
  int64_t vocab_size = 0;
  TokenDtype dtype = TokenDtype::kUint16;
  int64_t train_tokens = 0;
  int64_t val_tokens = 0;
  int64_t text_bytes = 0;  // corpus bytes used (after max_bytes)
  int64_t blocks = 0;
  int64_t val_blocks = 0;
  // CRC-32s of the token files as written (base/file_checksum.h), checked whenever they
  // are opened; empty in a meta.txt written before they were recorded.
  std::string train_checksum{};
  std::string val_checksum{};
  std::vector<std::string> inputs;  // the "input.<name> = <value>" lines
};

// Lines naming everything the prepared files depend on: kPrepVersion, the
// tokenizer settings (an adopted model by path, size and modification time),
// val_fraction, max_bytes, split_block_bytes, and each source file by
// absolute path, size and modification time (a stat, not a read, so checking
// a 40 MB corpus for reuse costs nothing). The cache folder is not an input:
// the same inputs give byte-identical folders anywhere.
std::vector<std::string> fingerprint_inputs(const DataConfig& config, const std::vector<std::filesystem::path>& files);
std::string fingerprint_of(const std::vector<std::string>& inputs);

std::string format_meta(const PreparedMeta& meta);
// Throws DataError naming `origin` and the line when a key is malformed or missing.
PreparedMeta parse_meta(std::string_view text, const std::filesystem::path& origin);
// std::nullopt when the file does not exist.
std::optional<PreparedMeta> read_meta(const std::filesystem::path& file);

}  // namespace mose::core::data

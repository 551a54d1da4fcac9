// Writing and parsing meta.txt, and the fingerprint of a text DataConfig.
#include "core/data/prepared_meta.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <utility>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::core::data {
namespace fs = std::filesystem;
namespace {

// FNV-1a, 64-bit (Fowler, Noll, Vo): tiny and stable across platforms,
// which is all a cache key needs.
uint64_t fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string file_identity(const fs::path& file) {
  // Unix time, so the number in meta.txt means something to a reader.
  const auto mtime = std::chrono::file_clock::to_sys(fs::last_write_time(file)).time_since_epoch();
  return fmt::format("{} bytes={} mtime_ns={}", fs::absolute(file).lexically_normal().string(), fs::file_size(file),
                     std::chrono::duration_cast<std::chrono::nanoseconds>(mtime).count());
}

using CountField = int64_t PreparedMeta::*;
constexpr std::array<std::pair<std::string_view, CountField>, 6> kCountFields{{
    {"vocab_size", &PreparedMeta::vocab_size},
    {"train_tokens", &PreparedMeta::train_tokens},
    {"val_tokens", &PreparedMeta::val_tokens},
    {"text_bytes", &PreparedMeta::text_bytes},
    {"blocks", &PreparedMeta::blocks},
    {"val_blocks", &PreparedMeta::val_blocks},
}};

int64_t parse_count(std::string_view value, const fs::path& origin, int line_number) {
  int64_t parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc() || end != value.data() + value.size() || parsed < 0) {
    throw DataError(fmt::format("{}:{}: '{}' is not a non-negative integer", origin.string(), line_number, value));
  }
  return parsed;
}

// Applies one "key = value" line; returns the key so the caller can track required ones.
std::string_view apply_line(PreparedMeta& meta, std::string_view line, const fs::path& origin, int line_number) {
  const size_t separator = line.find(" = ");
  if (separator == std::string_view::npos) {
    throw DataError(fmt::format("{}:{}: '{}' is not a 'key = value' line", origin.string(), line_number, line));
  }
  const std::string_view key = line.substr(0, separator), value = line.substr(separator + 3);
  if (key.starts_with("input.")) {
    meta.inputs.emplace_back(line);
  } else if (key == "fingerprint") {
    meta.fingerprint = value;
  } else if (key == "tokenizer") {
    meta.tokenizer = value;
  } else if (key == "train_checksum") {
    meta.train_checksum = value;
  } else if (key == "val_checksum") {
    meta.val_checksum = value;
  } else if (key == "dtype") {
    if (value != "uint16" && value != "uint32") {
      throw DataError(fmt::format("{}:{}: dtype '{}'; expected uint16 or uint32", origin.string(), line_number, value));
    }
    meta.dtype = parse_dtype(value);
  } else {
    for (const auto& [name, field] : kCountFields) {
      if (key == name) meta.*field = parse_count(value, origin, line_number);
    }
  }
  return key;
}

}  // namespace

std::vector<std::string> fingerprint_inputs(const DataConfig& config, const std::vector<fs::path>& files) {
  std::vector<std::string> lines{
      fmt::format("input.prep_version = {}", kPrepVersion),
      fmt::format("input.tokenizer = {}", config.tokenizer),
      fmt::format("input.vocab_size = {}", config.vocab_size),
      fmt::format("input.tokenizer_model = {}",
                  config.tokenizer_model.empty() ? std::string("none") : file_identity(config.tokenizer_model)),
      fmt::format("input.max_tokenizer_sentences = {}", config.max_tokenizer_sentences),
      fmt::format("input.val_fraction = {}", config.val_fraction),  // shortest exact round-trip form
      fmt::format("input.max_bytes = {}", config.max_bytes),
      fmt::format("input.split_block_bytes = {}", config.split_block_bytes),
  };
  for (const auto& file : files) lines.push_back(fmt::format("input.source = {}", file_identity(file)));
  return lines;
}

std::string fingerprint_of(const std::vector<std::string>& inputs) {
  std::string joined;
  for (const auto& line : inputs) joined += line + '\n';
  return fmt::format("{:016x}", fnv1a64(joined));
}

std::string format_meta(const PreparedMeta& meta) {
  std::string text =
      "# mose prepared corpus (core/data). train.bin / val.bin: headerless little-endian token ids of\n"
      "# the dtype below; split rule in core/data/corpus_split.h.\n";
  text += fmt::format("fingerprint = {}\ntokenizer = {}\ndtype = {}\n", meta.fingerprint, meta.tokenizer,
                      dtype_name(meta.dtype));
  for (const auto& [name, field] : kCountFields) text += fmt::format("{} = {}\n", name, meta.*field);
  if (!meta.train_checksum.empty()) text += fmt::format("train_checksum = {}\n", meta.train_checksum);
  if (!meta.val_checksum.empty()) text += fmt::format("val_checksum = {}\n", meta.val_checksum);
  text += "# inputs covered by the fingerprint:\n";
  for (const auto& line : meta.inputs) text += line + '\n';
  return text;
}

PreparedMeta parse_meta(std::string_view text, const fs::path& origin) {
  PreparedMeta meta;
  std::vector<std::string> seen;
  int line_number = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    ++line_number;
    begin = end + 1;
    if (line.empty() || line.front() == '#') continue;
    seen.emplace_back(apply_line(meta, line, origin, line_number));
  }
  std::vector<std::string_view> required{"fingerprint", "tokenizer", "dtype"};
  for (const auto& field : kCountFields) required.push_back(field.first);
  for (const auto key : required) {
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
      throw DataError(fmt::format("{} has no '{}' line; the prepared corpus is incomplete", origin.string(), key));
    }
  }
  return meta;
}

std::optional<PreparedMeta> read_meta(const fs::path& file) {
  if (!fs::exists(file)) return std::nullopt;
  return parse_meta(read_file(file), file);
}

}  // namespace mose::core::data

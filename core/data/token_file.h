// Token files in the nanoGPT layout: a headerless array of little-endian
// uint16 or uint32 token ids. TokenFile maps one read-only (mmap) and checks
// it on open, so later reads need no checks; write_token_file writes one
// atomically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace mose::core::data {

enum class TokenDtype { kUint16, kUint32 };

std::string_view dtype_name(TokenDtype dtype);           // "uint16" / "uint32"
TokenDtype parse_dtype(std::string_view name);           // ConfigError for anything else
int64_t dtype_bytes(TokenDtype dtype);                   // 2 / 4
TokenDtype dtype_for_vocab(int64_t vocab_size);          // uint16 up to 65536 ids, else uint32

class TokenFile {
 public:
  // Maps `path` and checks it: not empty, a whole number of tokens, every id
  // below `vocab_size` (the first offending token offset and id are
  // reported). Throws DataError naming the file; IoError when it cannot be read.
  static TokenFile open(const std::filesystem::path& path, TokenDtype dtype, int64_t vocab_size);

  TokenFile(TokenFile&& other) noexcept;
  TokenFile& operator=(TokenFile&& other) noexcept;
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;
  ~TokenFile();

  int64_t size() const { return tokens_; }  // in tokens
  TokenDtype dtype() const { return dtype_; }
  int64_t vocab_size() const { return vocab_size_; }
  const std::filesystem::path& path() const { return path_; }

  // Token i, 0 <= i < size() (unchecked: the caller holds the bounds).
  int32_t operator[](int64_t i) const {
    return dtype_ == TokenDtype::kUint16 ? static_cast<int32_t>(reinterpret_cast<const uint16_t*>(data_)[i])
                                         : static_cast<int32_t>(reinterpret_cast<const uint32_t*>(data_)[i]);
  }

  // Copies tokens [begin, begin + out.size()) into `out`; throws DataError
  // naming the file when the range is not inside it.
  void copy(int64_t begin, std::span<int32_t> out) const;

 private:
  TokenFile(std::filesystem::path path, TokenDtype dtype, int64_t vocab_size, const std::byte* data, size_t bytes);
  void check_ids() const;
  void release() noexcept;

  std::filesystem::path path_;
  TokenDtype dtype_ = TokenDtype::kUint16;
  int64_t vocab_size_ = 0;
  const std::byte* data_ = nullptr;  // the mapping
  size_t bytes_ = 0;
  int64_t tokens_ = 0;
};

// Writes `tokens` to `path` as `dtype` (temp file + rename). Throws DataError
// when an id does not fit the dtype, IoError when the file cannot be written.
void write_token_file(const std::filesystem::path& path, std::span<const int32_t> tokens, TokenDtype dtype);

}  // namespace mose::core::data

// Token files in the nanoGPT layout: a headerless array of little-endian
// uint16 or uint32 token ids. TokenFile opens one read-only and checks it on
// open; write_token_file writes one atomically.
//
// Reads are pread(2) calls, not a memory mapping: when another process truncates a
// mapped file, the next access to a page past the new end kills the reader with SIGBUS
// and no message, while a read of a truncated file just comes back short. Every copy
// also re-checks its ids against the vocabulary, so a file rewritten in place while in
// use is a DataError naming it, never an out-of-range embedding index. One pread per
// window (a few KB) costs nothing next to a training step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "base/file_checksum.h"

namespace mose::core::data {

enum class TokenDtype { kUint16, kUint32 };

std::string_view dtype_name(TokenDtype dtype);   // "uint16" / "uint32"
TokenDtype parse_dtype(std::string_view name);   // ConfigError for anything else
int64_t dtype_bytes(TokenDtype dtype);           // 2 / 4
TokenDtype dtype_for_vocab(int64_t vocab_size);  // uint16 up to 65536 ids, else uint32

class TokenFile {
 public:
  // Opens `path` and checks it: not empty, a whole number of tokens, every id
  // below `vocab_size` (the first offending token offset and id are
  // reported). With `checksum`, also the file's CRC-32 (digest()), computed
  // during the same scan. Throws DataError naming the file; IoError when it
  // cannot be read.
  static TokenFile open(const std::filesystem::path& path, TokenDtype dtype, int64_t vocab_size, bool checksum = false);

  TokenFile(TokenFile&& other) noexcept;
  TokenFile& operator=(TokenFile&& other) noexcept;
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;
  ~TokenFile();

  int64_t size() const { return tokens_; }  // in tokens
  TokenDtype dtype() const { return dtype_; }
  int64_t vocab_size() const { return vocab_size_; }
  const std::filesystem::path& path() const { return path_; }
  // The file's CRC-32 as read when it was opened; nullopt unless open() was asked for it.
  const std::optional<FileDigest>& digest() const { return digest_; }

  // Token i, 0 <= i < size(): one read, for spot checks; copy() reads windows.
  int32_t operator[](int64_t i) const;

  // Copies tokens [begin, begin + out.size()) into `out`. Throws DataError
  // naming the file when the range is not inside it, when the file has been
  // truncated since it was opened, or when an id read is not below vocab_size();
  // IoError when the read fails.
  void copy(int64_t begin, std::span<int32_t> out) const;

 private:
  TokenFile(std::filesystem::path path, TokenDtype dtype, int64_t vocab_size, int fd, int64_t bytes);
  // Reads `bytes` bytes at `offset` into `out`, all of them or DataError/IoError.
  void read_exactly(int64_t offset, void* out, size_t bytes) const;
  void check_ids(bool checksum);
  void release() noexcept;

  std::filesystem::path path_;
  TokenDtype dtype_ = TokenDtype::kUint16;
  int64_t vocab_size_ = 0;
  int fd_ = -1;
  int64_t bytes_ = 0;  // when opened
  int64_t tokens_ = 0;
  std::optional<FileDigest> digest_;
};

// Writes `tokens` to `path` as `dtype` (temp file + rename) and returns the
// digest of the bytes written. Throws DataError when an id does not fit the
// dtype, IoError when the file cannot be written.
FileDigest write_token_file(const std::filesystem::path& path, std::span<const int32_t> tokens, TokenDtype dtype);

}  // namespace mose::core::data

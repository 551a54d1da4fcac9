// Token files: open-time checks, window reads (pread) and atomic writes.
#include "core/data/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>
#include <vector>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::core::data {
namespace fs = std::filesystem;

// The files are little-endian by definition (nanoGPT writes numpy arrays on
// x86); reading them as native integers is only right on a little-endian host.
static_assert(std::endian::native == std::endian::little, "token files are read as native little-endian ints");

namespace {

constexpr int64_t kScanChunk = int64_t{1} << 16;

// First token at or after `begin` with id >= vocab, or -1; chunked so the
// common all-valid case is a tight max-reduction the compiler vectorizes.
template <typename T>
int64_t first_out_of_vocab(const T* ids, int64_t count, int64_t vocab) {
  for (int64_t begin = 0; begin < count; begin += kScanChunk) {
    const int64_t end = std::min(count, begin + kScanChunk);
    T max_id = 0;
    for (int64_t i = begin; i < end; ++i) max_id = std::max(max_id, ids[i]);
    if (static_cast<int64_t>(max_id) < vocab) continue;
    for (int64_t i = begin; i < end; ++i) {
      if (static_cast<int64_t>(ids[i]) >= vocab) return i;
    }
  }
  return -1;
}

template <typename T>
void write_as(std::ofstream& out, const fs::path& path, std::span<const int32_t> tokens, Crc32& crc) {
  std::vector<T> buffer;
  for (size_t begin = 0; begin < tokens.size(); begin += kScanChunk) {
    const size_t end = std::min(tokens.size(), begin + static_cast<size_t>(kScanChunk));
    buffer.clear();
    for (size_t i = begin; i < end; ++i) {
      if (tokens[i] < 0 || static_cast<uint64_t>(tokens[i]) > std::numeric_limits<T>::max()) {
        throw DataError(fmt::format("cannot write token file {}: id {} at token offset {} does not fit {} bits",
                                    path.string(), tokens[i], i, 8 * sizeof(T)));
      }
      buffer.push_back(static_cast<T>(tokens[i]));
    }
    out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(buffer.size() * sizeof(T)));
    crc.update(buffer.data(), buffer.size() * sizeof(T));
  }
}

}  // namespace

std::string_view dtype_name(TokenDtype dtype) { return dtype == TokenDtype::kUint16 ? "uint16" : "uint32"; }

TokenDtype parse_dtype(std::string_view name) {
  if (name == "uint16") return TokenDtype::kUint16;
  if (name == "uint32") return TokenDtype::kUint32;
  throw ConfigError(fmt::format("token dtype '{}' is not known; expected 'uint16' or 'uint32'", name));
}

int64_t dtype_bytes(TokenDtype dtype) { return dtype == TokenDtype::kUint16 ? 2 : 4; }

TokenDtype dtype_for_vocab(int64_t vocab_size) {
  return vocab_size <= 65536 ? TokenDtype::kUint16 : TokenDtype::kUint32;
}

TokenFile TokenFile::open(const fs::path& path, TokenDtype dtype, int64_t vocab_size, bool checksum) {
  if (vocab_size < 1 || vocab_size > std::numeric_limits<int32_t>::max()) {
    throw ConfigError(fmt::format("token file {}: vocab size {} is outside [1, 2^31)", path.string(), vocab_size));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw DataError(fmt::format("token file {} does not exist", path.string()));
    throw IoError(fmt::format("cannot open token file {}: {}", path.string(), std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    throw IoError(fmt::format("cannot stat token file {}: {}", path.string(), std::strerror(error)));
  }
  const auto bytes = static_cast<size_t>(info.st_size);
  const auto width = static_cast<size_t>(dtype_bytes(dtype));
  if (bytes == 0 || bytes % width != 0) {
    ::close(fd);
    throw DataError(fmt::format("token file {} has {} bytes; expected a positive multiple of {} ({} token ids)",
                                path.string(), bytes, width, dtype_name(dtype)));
  }
  TokenFile file(path, dtype, vocab_size, fd, static_cast<int64_t>(bytes));
  file.check_ids(checksum);
  return file;
}

TokenFile::TokenFile(fs::path path, TokenDtype dtype, int64_t vocab_size, int fd, int64_t bytes)
    : path_(std::move(path)),
      dtype_(dtype),
      vocab_size_(vocab_size),
      fd_(fd),
      bytes_(bytes),
      tokens_(bytes / dtype_bytes(dtype)) {}

TokenFile::TokenFile(TokenFile&& other) noexcept
    : path_(std::move(other.path_)),
      dtype_(other.dtype_),
      vocab_size_(other.vocab_size_),
      fd_(std::exchange(other.fd_, -1)),
      bytes_(std::exchange(other.bytes_, 0)),
      tokens_(std::exchange(other.tokens_, 0)),
      digest_(std::move(other.digest_)) {}

TokenFile& TokenFile::operator=(TokenFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    dtype_ = other.dtype_;
    vocab_size_ = other.vocab_size_;
    fd_ = std::exchange(other.fd_, -1);
    bytes_ = std::exchange(other.bytes_, 0);
    tokens_ = std::exchange(other.tokens_, 0);
    digest_ = std::move(other.digest_);
  }
  return *this;
}

TokenFile::~TokenFile() { release(); }

void TokenFile::release() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TokenFile::read_exactly(int64_t offset, void* out, size_t bytes) const {
  auto* p = static_cast<char*>(out);
  for (size_t done = 0; done < bytes;) {
    const ssize_t n = ::pread(fd_, p + done, bytes - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw IoError(fmt::format("cannot read token file {} at byte offset {}: {}", path_.string(),
                                offset + static_cast<int64_t>(done), std::strerror(errno)));
    }
    if (n == 0) {
      struct stat info {};
      const int64_t now = ::fstat(fd_, &info) == 0 ? static_cast<int64_t>(info.st_size) : -1;
      throw DataError(
          fmt::format("token file {} was truncated while in use: it has {} bytes now, {} when it was "
                      "opened; another process shortened or rewrote it (re-prepare or restore it)",
                      path_.string(), now, bytes_));
    }
    done += static_cast<size_t>(n);
  }
}

void TokenFile::check_ids(bool checksum) {
  const auto width = static_cast<size_t>(dtype_bytes(dtype_));
  std::vector<std::byte> chunk(static_cast<size_t>(kScanChunk) * width);
  Crc32 crc;
  for (int64_t begin = 0; begin < tokens_; begin += kScanChunk) {
    const int64_t count = std::min(kScanChunk, tokens_ - begin);
    read_exactly(begin * dtype_bytes(dtype_), chunk.data(), static_cast<size_t>(count) * width);
    if (checksum) crc.update(chunk.data(), static_cast<size_t>(count) * width);
    const int64_t bad = dtype_ == TokenDtype::kUint16
                            ? first_out_of_vocab(reinterpret_cast<const uint16_t*>(chunk.data()), count, vocab_size_)
                            : first_out_of_vocab(reinterpret_cast<const uint32_t*>(chunk.data()), count, vocab_size_);
    if (bad < 0) continue;
    // Read unsigned: an id past 2^31 would print negative as an int32_t.
    const uint64_t id = dtype_ == TokenDtype::kUint16 ? reinterpret_cast<const uint16_t*>(chunk.data())[bad]
                                                      : reinterpret_cast<const uint32_t*>(chunk.data())[bad];
    throw DataError(
        fmt::format("token file {}: id {} at token offset {} (byte offset {}) is not below the vocab "
                    "size {}",
                    path_.string(), id, begin + bad, (begin + bad) * dtype_bytes(dtype_), vocab_size_));
  }
  if (checksum) digest_ = crc.digest();
}

int32_t TokenFile::operator[](int64_t i) const {
  int32_t id = 0;
  copy(i, std::span<int32_t>(&id, 1));
  return id;
}

void TokenFile::copy(int64_t begin, std::span<int32_t> out) const {
  const auto count = static_cast<int64_t>(out.size());
  if (begin < 0 || begin > tokens_ - count) {
    throw DataError(fmt::format("token file {}: window [{}, {}) is outside its {} tokens", path_.string(), begin,
                                begin + count, tokens_));
  }
  int64_t bad = -1;
  if (dtype_ == TokenDtype::kUint32) {  // same width: read in place
    auto* ids = reinterpret_cast<uint32_t*>(out.data());
    read_exactly(begin * 4, ids, out.size() * 4);
    bad = first_out_of_vocab(ids, count, vocab_size_);
  } else {
    std::vector<uint16_t> ids(out.size());
    read_exactly(begin * 2, ids.data(), out.size() * 2);
    bad = first_out_of_vocab(ids.data(), count, vocab_size_);
    std::copy(ids.begin(), ids.end(), out.begin());
  }
  if (bad >= 0) {
    throw DataError(
        fmt::format("token file {}: id {} at token offset {} is not below the vocab size {}; the file "
                    "changed after it was opened and checked",
                    path_.string(), static_cast<uint32_t>(out[static_cast<size_t>(bad)]), begin + bad, vocab_size_));
  }
}

FileDigest write_token_file(const fs::path& path, std::span<const int32_t> tokens, TokenDtype dtype) {
  Crc32 crc;
  replace_file_atomically(path, [&](const fs::path& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError(fmt::format("cannot open {} for writing: {}", temp.string(), std::strerror(errno)));
    if (dtype == TokenDtype::kUint16) {
      write_as<uint16_t>(out, path, tokens, crc);
    } else {
      write_as<uint32_t>(out, path, tokens, crc);
    }
    out.flush();
    if (!out) throw IoError(fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno)));
  });
  return crc.digest();
}

}  // namespace mose::core::data

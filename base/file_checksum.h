// Checksums of the files a study depends on (checkpoints, prepared token files), so that
// a damaged or swapped file is refused before use instead of yielding a wrong result.
// CRC-32 (zlib) is enough: it guards against truncation, bit rot and mix-ups, not
// against tampering.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace mose {

struct FileDigest {
  std::string checksum{};  // "crc32:" + 8 lowercase hex digits
  std::int64_t bytes = 0;

  bool operator==(const FileDigest&) const = default;
};

// "crc32:1a2b3c4d (1234 bytes)", for messages.
std::string to_string(const FileDigest& digest);

// CRC-32 of bytes fed in pieces.
class Crc32 {
 public:
  void update(const void* data, std::size_t bytes);
  FileDigest digest() const;

 private:
  std::uint32_t crc_ = 0;
  std::int64_t bytes_ = 0;
};

// Reads the whole file in chunks. Throws IoError naming the path when it cannot be read.
FileDigest file_crc32(const std::filesystem::path& path);

}  // namespace mose

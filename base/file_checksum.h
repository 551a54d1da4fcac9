// Checksums of the files a study depends on (checkpoints, prepared token files), so that
// a damaged or swapped file is refused before use instead of yielding a wrong result.
// CRC-32 (zlib) is enough: it guards against truncation, bit rot and mix-ups, not
// against tampering.
//
// A checksum file ("<file>.crc32", beside the file it vouches for) lists the digests the
// file may have, newest first, one "crc32:<8 hex digits> <bytes>" line each. A writer
// that replaces a file atomically writes it before the rename, listing the new file and
// the one it replaces: wherever a crash strikes, the file on disk matches a line, so
// only damage makes a mismatch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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

// "<file>.crc32".
std::filesystem::path checksum_file_for(const std::filesystem::path& file);

// Writes the checksum file of `file` atomically. Throws IoError naming it.
void write_checksum_file(const std::filesystem::path& file, const std::vector<FileDigest>& digests);

// The digests the checksum file of `file` lists; nullopt when there is none. Throws
// IoError naming it when it cannot be read, lists nothing or has a malformed line.
std::optional<std::vector<FileDigest>> read_checksum_file(const std::filesystem::path& file);

}  // namespace mose

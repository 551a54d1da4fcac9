// Checksums of files the study records as artifacts (checkpoints), so that a
// checkpoint copied between machines or found on disk later can be matched to the
// trial that wrote it. CRC-32 (zlib) is enough: it guards against truncation and
// mix-ups, not against tampering.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mose::study::runner {

struct FileDigest {
  std::string checksum{};  // "crc32:" + 8 lowercase hex digits
  std::int64_t bytes = 0;
};

// Reads the whole file in chunks. Throws IoError naming the path when it cannot be read.
FileDigest file_crc32(const std::filesystem::path& path);

}  // namespace mose::study::runner

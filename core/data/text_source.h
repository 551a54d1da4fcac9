// Text sources: expanding files and folders into an ordered file list, and
// reading them (plain, gzip or dictzip; all through zlib's gz* API, which
// passes uncompressed files through) into one string.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mose::core::data {

// Files in reading order: each source in the order given; a folder
// contributes its regular files recursively, sorted by path, skipping names
// that start with '.'. Throws DataError for a missing source (for a missing
// gcide.dict.dz, naming the Debian package and scripts/setup) or a folder
// without files.
std::vector<std::filesystem::path> list_text_files(const std::vector<std::filesystem::path>& sources);

// The files' decompressed text, concatenated in order with a '\n' added after
// a file that does not end with one. With max_bytes > 0, reading stops early
// and the result is the longest prefix of whole lines of at most max_bytes
// bytes (or exactly max_bytes when the first line alone is longer). Throws
// DataError for corrupt compressed data or no text at all, IoError for read failures.
std::string read_text_files(const std::vector<std::filesystem::path>& files, int64_t max_bytes);

}  // namespace mose::core::data

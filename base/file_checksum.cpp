#include "base/file_checksum.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "crc32:";

// "crc32:<8 lowercase hex digits> <bytes>", or nullopt.
std::optional<FileDigest> parse_digest(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view checksum = line.substr(0, space), bytes = line.substr(space + 1);
  const auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (checksum.size() != kPrefix.size() + 8 || !checksum.starts_with(kPrefix) ||
      !std::all_of(checksum.begin() + kPrefix.size(), checksum.end(), is_hex)) {
    return std::nullopt;
  }
  FileDigest digest{std::string(checksum), 0};
  const auto [end, error] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), digest.bytes);
  if (error != std::errc() || end != bytes.data() + bytes.size() || digest.bytes < 0) return std::nullopt;
  return digest;
}

}  // namespace

std::string to_string(const FileDigest& digest) { return fmt::format("{} ({} bytes)", digest.checksum, digest.bytes); }

void Crc32::update(const void* data, std::size_t bytes) {
  // zlib takes uInt lengths: feed huge buffers in pieces.
  const auto* p = static_cast<const Bytef*>(data);
  for (std::size_t done = 0; done < bytes;) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(bytes - done, std::size_t{1} << 30));
    crc_ = static_cast<std::uint32_t>(crc32(crc_, p + done, n));
    done += n;
  }
  bytes_ += static_cast<std::int64_t>(bytes);
}

FileDigest Crc32::digest() const { return {fmt::format("{}{:08x}", kPrefix, crc_), bytes_}; }

FileDigest file_crc32(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: cannot open for a checksum: {}", path.string(), std::strerror(errno)));
  std::vector<char> buffer(1 << 20);
  Crc32 crc;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    crc.update(buffer.data(), static_cast<std::size_t>(n));
  }
  if (in.bad()) throw IoError(fmt::format("{}: read failed after {} bytes", path.string(), crc.digest().bytes));
  return crc.digest();
}

fs::path checksum_file_for(const fs::path& file) { return fs::path(file.string() + ".crc32"); }

void write_checksum_file(const fs::path& file, const std::vector<FileDigest>& digests) {
  std::string text =
      fmt::format("# CRC-32 and size {} may have, newest first (base/file_checksum.h)\n", file.filename().string());
  for (const FileDigest& digest : digests) text += fmt::format("{} {}\n", digest.checksum, digest.bytes);
  write_file_atomically(checksum_file_for(file), text);
}

std::optional<std::vector<FileDigest>> read_checksum_file(const fs::path& file) {
  const fs::path path = checksum_file_for(file);
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  std::istringstream text(read_file(path));
  std::vector<FileDigest> digests;
  int number = 0;
  for (std::string line; std::getline(text, line);) {
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const std::optional<FileDigest> digest = parse_digest(line);
    if (!digest) {
      throw IoError(
          fmt::format("{}:{}: '{}' is not a 'crc32:<8 hex digits> <bytes>' line", path.string(), number, line));
    }
    digests.push_back(*digest);
  }
  if (digests.empty()) throw IoError(fmt::format("{}: lists no checksum", path.string()));
  return digests;
}

}  // namespace mose

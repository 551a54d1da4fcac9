#include "base/file_checksum.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/errors.h"

namespace mose {

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

FileDigest Crc32::digest() const { return {fmt::format("crc32:{:08x}", crc_), bytes_}; }

FileDigest file_crc32(const std::filesystem::path& path) {
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

}  // namespace mose

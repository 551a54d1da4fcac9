#include "study/runner/file_checksum.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/errors.h"

namespace mose::study::runner {

FileDigest file_crc32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: cannot open for a checksum: {}", path.string(), std::strerror(errno)));
  std::vector<char> buffer(1 << 20);
  uLong crc = crc32(0L, Z_NULL, 0);
  FileDigest digest;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(n));
    digest.bytes += n;
  }
  if (in.bad()) throw IoError(fmt::format("{}: read failed after {} bytes", path.string(), digest.bytes));
  digest.checksum = fmt::format("crc32:{:08x}", crc);
  return digest;
}

}  // namespace mose::study::runner

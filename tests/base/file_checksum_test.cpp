// File checksums (base/file_checksum.h) against the published CRC-32 check value: the
// CRC-32 (ISO-HDLC, as zlib and zip compute it) of "123456789" is cbf43926.
#include "base/file_checksum.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/errors.h"

namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& contents) {
  std::random_device rd;
  const fs::path path = fs::temp_directory_path() / ("mose-crc-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

}  // namespace

TEST_CASE("CRC-32 matches the published check value, whole or in pieces", "[base][checksum]") {
  mose::Crc32 whole;
  whole.update("123456789", 9);
  CHECK(whole.digest() == mose::FileDigest{"crc32:cbf43926", 9});
  mose::Crc32 pieces;
  pieces.update("1234", 4);
  pieces.update("", 0);
  pieces.update("56789", 5);
  CHECK(pieces.digest() == whole.digest());
  CHECK(mose::Crc32().digest() == mose::FileDigest{"crc32:00000000", 0});
  CHECK(mose::to_string(whole.digest()) == "crc32:cbf43926 (9 bytes)");
}

TEST_CASE("a file's checksum covers all its bytes, and a missing file is an IoError naming it", "[base][checksum]") {
  const fs::path path = temp_file("123456789");
  CHECK(mose::file_crc32(path) == mose::FileDigest{"crc32:cbf43926", 9});
  const std::string big(3 << 20, 'x');  // several read chunks
  std::ofstream(path, std::ios::binary | std::ios::trunc) << big;
  mose::Crc32 expected;
  expected.update(big.data(), big.size());
  CHECK(mose::file_crc32(path) == expected.digest());
  fs::remove(path);
  CHECK_THROWS_AS(mose::file_crc32(path), mose::IoError);
  CHECK_THROWS_WITH(mose::file_crc32(path), Catch::Contains(path.string()));
}

TEST_CASE("checksum files round-trip their digests and reject malformed lines", "[base][checksum]") {
  const fs::path file = temp_file("123456789");
  CHECK_FALSE(mose::read_checksum_file(file));
  const std::vector<mose::FileDigest> digests{{"crc32:cbf43926", 9}, {"crc32:0000ffff", 12}};
  mose::write_checksum_file(file, digests);
  CHECK(mose::checksum_file_for(file) == fs::path(file.string() + ".crc32"));
  CHECK(mose::read_checksum_file(file) == digests);
  for (const char* bad : {"crc32:cbf4392 9\n", "crc32:CBF43926 9\n", "md5:cbf43926 9\n", "crc32:cbf43926 -9\n",
                          "crc32:cbf43926\n", "# only a comment\n"}) {
    INFO(bad);
    std::ofstream(mose::checksum_file_for(file), std::ios::trunc) << bad;
    CHECK_THROWS_WITH(mose::read_checksum_file(file), Catch::Contains(mose::checksum_file_for(file).string()));
  }
  fs::remove(file);
  fs::remove(mose::checksum_file_for(file));
}

// Faults the runner tests inject into a study's files: bytes flipped in place (a damaged
// checkpoint), and the study options those tests share.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "study/runner/runner.h"
#include "study/study_test_support.h"

namespace mose::study::testing {

// XORs `count` bytes from the middle of the file with 0xff, keeping its size: inside a
// checkpoint that is tensor data, which torch loads without noticing.
inline void flip_middle_bytes(const std::filesystem::path& path, int count = 16) {
  const auto size = static_cast<std::streamoff>(std::filesystem::file_size(path));
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  file.seekg(size / 2);
  file.read(bytes.data(), count);
  for (char& c : bytes) c = static_cast<char>(c ^ 0xff);
  file.seekp(size / 2);
  file.write(bytes.data(), count);
}

inline runner::RunOptions options_in(const ScratchDir& dir) {
  runner::RunOptions options;
  options.out = dir.path() / "out";
  return options;
}

}  // namespace mose::study::testing

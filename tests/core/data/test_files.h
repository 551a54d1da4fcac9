// Test helpers for core/data: a unique temporary folder removed at scope
// exit, and writers for the small text, gzip and token files the tests feed in.
#pragma once

#include <stdlib.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/atomic_file.h"

namespace mose::core::data::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mose_data_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  mose::write_file_atomically(path, text);
}

inline void write_gzip(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("gzopen failed for " + path.string());
  if (!text.empty() && gzwrite(file, text.data(), static_cast<unsigned>(text.size())) <= 0) {
    gzclose(file);
    throw std::runtime_error("gzwrite failed for " + path.string());
  }
  gzclose(file);
}

// Raw little-endian ids of type T, with no checks, so tests can craft bad files.
template <typename T>
void write_raw_tokens(const std::filesystem::path& path, const std::vector<T>& ids) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(ids.data()), static_cast<std::streamsize>(ids.size() * sizeof(T)));
}

// Deterministic prose-like text: `lines` lines drawn from a small word list.
inline std::string synthetic_text(int lines) {
  static const std::vector<std::string_view> words{"the", "quick", "brown", "fox", "jumps", "over", "lazy",
                                                   "dog", "and", "a", "word", "of", "English", "prose"};
  std::string text;
  uint64_t state = 12345;
  for (int line = 0; line < lines; ++line) {
    const int count = 3 + line % 9;
    for (int w = 0; w < count; ++w) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      if (w > 0) text += ' ';
      text += words[(state >> 33) % words.size()];
    }
    text += '\n';
  }
  return text;
}

}  // namespace mose::core::data::testing

// Listing and reading text sources. Every error names the file at fault.
#include "core/data/text_source.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "base/errors.h"
#include "core/data/data_config.h"

namespace mose::core::data {
namespace fs = std::filesystem;
namespace {

constexpr unsigned kReadChunk = 1u << 20;

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

[[noreturn]] void throw_missing(const fs::path& source) {
  // Matched by file name so the hint also helps when the path was copied elsewhere.
  if (source.filename() == fs::path(kDefaultCorpus).filename()) {
    throw DataError(fmt::format("default corpus {} does not exist; it comes from the Debian package {} "
                                "(scripts/setup installs it: apt-get install {})",
                                source.string(), kDefaultCorpusPackage, kDefaultCorpusPackage));
  }
  throw DataError(fmt::format("text source {} does not exist; expected a text file (plain, .gz or .dz) or a folder",
                              source.string()));
}

std::vector<fs::path> list_folder(const fs::path& folder) {
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(folder); it != fs::recursive_directory_iterator(); ++it) {
    if (is_hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path());
  }
  // Sorting makes the order independent of the file system's directory order.
  std::sort(files.begin(), files.end());
  if (files.empty()) throw DataError(fmt::format("text source folder {} contains no files", folder.string()));
  return files;
}

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

[[noreturn]] void throw_read_error(const fs::path& path, gzFile file) {
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  if (code == Z_ERRNO) throw IoError(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  throw DataError(fmt::format("cannot decompress {}: {}; expected plain text or intact gzip/dictzip data",
                              path.string(), message));
}

// Appends at most `limit` decompressed bytes of `path` to `out`.
void append_file(const fs::path& path, std::string& out, uint64_t limit) {
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) throw IoError(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  gzbuffer(file.get(), 1u << 18);
  while (limit > 0) {
    const auto chunk = static_cast<unsigned>(std::min<uint64_t>(kReadChunk, limit));
    const size_t old_size = out.size();
    out.resize(old_size + chunk);
    const int got = gzread(file.get(), out.data() + old_size, chunk);
    if (got < 0) throw_read_error(path, file.get());
    out.resize(old_size + static_cast<size_t>(got));
    limit -= static_cast<uint64_t>(got);
    if (got == 0) break;
  }
  // A truncated gzip stream surfaces as an error state after the last good bytes.
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code != Z_OK) throw_read_error(path, file.get());
}

}  // namespace

std::vector<fs::path> list_text_files(const std::vector<fs::path>& sources) {
  std::vector<fs::path> files;
  for (const auto& source : sources) {
    std::error_code error;
    const auto status = fs::status(source, error);
    if (!fs::exists(status)) throw_missing(source);
    if (fs::is_directory(status)) {
      for (auto& file : list_folder(source)) files.push_back(std::move(file));
    } else if (fs::is_regular_file(status)) {
      files.push_back(source);
    } else {
      throw DataError(fmt::format("text source {} is neither a regular file nor a folder", source.string()));
    }
  }
  return files;
}

std::string read_text_files(const std::vector<fs::path>& files, int64_t max_bytes) {
  // One byte past the limit tells whether the text had to be cut.
  const uint64_t budget = max_bytes > 0 ? static_cast<uint64_t>(max_bytes) + 1 : std::numeric_limits<uint64_t>::max();
  std::string text;
  for (const auto& file : files) {
    if (text.size() >= budget) break;
    append_file(file, text, budget - text.size());
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
  }
  if (max_bytes > 0 && text.size() > static_cast<uint64_t>(max_bytes)) {
    const size_t last_newline = text.rfind('\n', static_cast<size_t>(max_bytes) - 1);
    text.resize(last_newline == std::string::npos ? static_cast<size_t>(max_bytes) : last_newline + 1);
  }
  if (text.empty()) {
    throw DataError(fmt::format("text sources contain no text (first file: {})",
                                files.empty() ? std::string("none") : files.front().string()));
  }
  return text;
}

}  // namespace mose::core::data

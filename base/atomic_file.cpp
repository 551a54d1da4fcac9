#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/errors.h"

namespace mose {
namespace fs = std::filesystem;
namespace {

fs::path temp_path_for(const fs::path& path) {
  return path.parent_path() / (path.filename().string() + ".tmp." + std::to_string(::getpid()));
}

// fsync so the rename cannot land before the data on a crash.
void sync_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void replace_file_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  std::error_code error;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
  if (error) throw IoError("cannot create the folder for " + path.string() + ": " + error.message());
  const fs::path temp = temp_path_for(path);
  try {
    write(temp);
    sync_file(temp);
    fs::rename(temp, path, error);
    if (error) throw IoError("cannot replace " + path.string() + " with " + temp.string() + ": " + error.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

void write_file_atomically(const fs::path& path, std::string_view contents) {
  replace_file_atomically(path, [&](const fs::path& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot open " + temp.string() + " for writing: " + std::strerror(errno));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) throw IoError("cannot write " + temp.string() + ": " + std::strerror(errno));
  });
}

void write_private_file_atomically(const fs::path& path, std::string_view contents) {
  replace_file_atomically(path, [&](const fs::path& temp) {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw IoError("cannot open " + temp.string() + " for writing: " + std::strerror(errno));
    // A leftover temporary file of the same name keeps its old mode through O_CREAT.
    bool written = ::fchmod(fd, 0600) == 0;
    for (std::size_t done = 0; written && done < contents.size();) {
      const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      written = n > 0;
      if (written) done += static_cast<std::size_t>(n);
    }
    const int error = errno;
    ::close(fd);
    if (!written) throw IoError("cannot write " + temp.string() + ": " + std::strerror(error));
  });
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace mose

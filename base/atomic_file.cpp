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

// fsync so the rename cannot land before the data on a crash; on NFS a failed write may
// show only here, so a failure is an error, not a file renamed into place half-written.
void sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path.string() + " to sync it: " + std::strerror(errno));
  const int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  if (error != 0) throw IoError("cannot sync " + path.string() + " to disk: " + std::strerror(error));
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

int write_all(int fd, const void* data, std::size_t n) {
  const auto* bytes = static_cast<const char*>(data);
  for (std::size_t done = 0; done < n;) {
    const ssize_t written = ::write(fd, bytes + done, n - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return written < 0 ? errno : ENOSPC;
    done += static_cast<std::size_t>(written);
  }
  return 0;
}

void write_private_file_atomically(const fs::path& path, std::string_view contents) {
  replace_file_atomically(path, [&](const fs::path& temp) {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw IoError("cannot open " + temp.string() + " for writing: " + std::strerror(errno));
    // A leftover temporary file of the same name keeps its old mode through O_CREAT.
    int error = ::fchmod(fd, 0600) == 0 ? 0 : errno;
    if (error == 0) error = write_all(fd, contents.data(), contents.size());
    ::close(fd);
    if (error != 0) throw IoError("cannot write " + temp.string() + ": " + std::strerror(error));
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

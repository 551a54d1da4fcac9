#include "core/train/archive_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::core::train {
namespace {

// A file descriptor that remembers the first failure instead of reporting it.
class FileSink {
 public:
  explicit FileSink(const std::filesystem::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  }
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  // Always "succeeds" towards torch (returns n); see archive_file.h.
  size_t write(const void* data, size_t n) noexcept {
    if (error_ == 0) error_ = write_all(fd_, data, n);
    if (error_ == 0) crc_.update(data, n);
    return n;
  }

  // Close, then throw the first error. (replace_file_atomically fsyncs the file before
  // renaming it into place, and fails if that fails.)
  FileDigest finish() {
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    if (error_ != 0) {
      throw IoError(fmt::format("cannot write {} ({} bytes written): {}", path_.string(), crc_.digest().bytes,
                                std::strerror(error_)));
    }
    return crc_.digest();
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  int error_ = 0;
  Crc32 crc_;  // of the bytes written so far
};

}  // namespace

FileDigest write_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& path) {
  FileSink sink(path);
  archive.save_to([&sink](const void* data, size_t n) { return sink.write(data, n); });
  return sink.finish();
}

}  // namespace mose::core::train

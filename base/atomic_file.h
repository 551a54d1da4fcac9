// Atomic file writes: write to a temporary file beside the target, flush, then
// rename over it, so a reader (or a crash) never sees a half-written file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string_view>

namespace mose {

// Writes `contents` to `path` atomically, creating its folder if needed. Throws IoError
// naming the path.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Calls `write(temp_path)` to produce the file, then renames temp_path to `path`.
// For writers that insist on a path (torch::save, sqlite backups). On failure the
// temporary file is removed and `path` is untouched; the writer's exception passes
// through, and a folder or rename failure throws IoError naming the path.
void replace_file_atomically(const std::filesystem::path& path,
                             const std::function<void(const std::filesystem::path&)>& write);

// Writes all `n` bytes to `fd`, retrying after EINTR. Returns 0, or the errno of the
// failed write (ENOSPC for a write that makes no progress).
int write_all(int fd, const void* data, std::size_t n);

// As write_file_atomically, for files that may hold secrets (a store URL with its
// password): the file is readable and writable by its owner only (mode 0600) from the
// moment it exists, whatever the umask, and replacing a wider file narrows it.
void write_private_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Reads a whole file; throws IoError naming the path.
std::string read_file(const std::filesystem::path& path);

}  // namespace mose

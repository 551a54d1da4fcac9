// Writing a torch archive to a file so that a failed write (a full disk, a file-size
// limit, an I/O error) is an IoError naming the file, never a process abort.
//
// Why not OutputArchive::save_to(filename): torch's zip writer reports a failed write by
// throwing, and its destructor then tries to finish the zip, fails again and throws out
// of the destructor during unwinding: std::terminate, exit 134, the temporary file left
// behind and the trial stuck running. Here torch writes through a callback that never
// reports a failure: it keeps the first error, drops every later byte, and the error is
// thrown once torch has finished. The bytes pass through a CRC-32 on their way out, so
// the file's checksum costs no second read.
#pragma once

#include <torch/serialize/output-archive.h>

#include <filesystem>

#include "base/file_checksum.h"

namespace mose::core::train {

// Creates (or truncates) `path`, writes `archive` to it, closes it, and
// returns the digest of the bytes written. Throws IoError naming `path` and the system's
// reason when any of that fails; the partial file is left for the caller to remove
// (replace_file_atomically does).
FileDigest write_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& path);

}  // namespace mose::core::train

// The checksum a finished training trial recorded for its checkpoint (its artifact of
// kind "checkpoint"), and the check of a checkpoint file against it, shared by the
// evaluation trials (eval_trial.cpp) and `run --retry-failed` (retry_failed.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "base/file_checksum.h"
#include "db/storage.h"

namespace mose::study::runner {

std::optional<FileDigest> recorded_checkpoint_digest(db::Storage& storage, std::int64_t training_id);

// Why `checkpoint` does not hold what the training trial recorded ("checksum X does not
// match Y"); "" when it does. Reads the whole file.
std::string checkpoint_mismatch(const std::filesystem::path& checkpoint, const FileDigest& recorded);

}  // namespace mose::study::runner

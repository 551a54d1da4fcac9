#include "study/runner/checkpoint_record.h"

#include <fmt/format.h>

namespace mose::study::runner {

std::optional<FileDigest> recorded_checkpoint_digest(db::Storage& storage, std::int64_t training_id) {
  std::optional<FileDigest> recorded;
  for (const db::ArtifactRecord& artifact : storage.get_artifacts(training_id)) {
    if (artifact.kind == "checkpoint") recorded = FileDigest{artifact.checksum, artifact.bytes};
  }
  return recorded;
}

std::string checkpoint_mismatch(const std::filesystem::path& checkpoint, const FileDigest& recorded) {
  const FileDigest actual = file_crc32(checkpoint);
  if (actual == recorded) return "";
  return fmt::format("checksum {} does not match {}", to_string(actual), to_string(recorded));
}

}  // namespace mose::study::runner

#include "study/runner/identity_migration.h"

#include <fmt/format.h>

#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "base/errors.h"
#include "base/log.h"

namespace mose::study::runner {
namespace {

namespace fs = std::filesystem;

// Renames every file of the checkpoint named by `old_hash` (the checkpoint, its
// checksum file, a kept .damaged copy) to the same name under `new_hash`. A file whose
// new name exists already was renamed by an earlier, cut-off try and is left alone.
void rename_checkpoint_files(const fs::path& folder, const std::string& old_hash, const std::string& new_hash) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) return;
  const std::string prefix = old_hash + ".pt";
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) files.push_back(entry.path());
  }
  for (const fs::path& from : files) {
    const fs::path to = folder / (new_hash + from.filename().string().substr(old_hash.size()));
    if (fs::exists(to)) continue;
    fs::rename(from, to, error);
    if (error) {
      throw IoError(fmt::format("{}: cannot rename to {} for the new trial identity: {}", from.string(),
                                to.filename().string(), error.message()));
    }
  }
}

}  // namespace

std::size_t migrate_trial_identities(db::Storage& storage, std::int64_t study_id, const recipe::Recipe& recipe,
                                     const recipe::StudyPaths& paths) {
  std::set<std::string> stored;
  for (const db::TrialRecord& trial : storage.list_trials({.study_id = study_id})) stored.insert(trial.config_hash);
  const auto movable = [&](const std::string& old_hash, const std::string& new_hash) {
    return old_hash != new_hash && stored.contains(old_hash) && !stored.contains(new_hash);
  };
  std::vector<db::TrialRekey> rekeys;
  for (const recipe::TrainingTrialSpec& spec : recipe.training) {
    if (!movable(spec.legacy_config_hash, spec.config_hash)) continue;
    rename_checkpoint_files(paths.checkpoints(), spec.legacy_config_hash, spec.config_hash);
    rekeys.push_back({spec.legacy_config_hash, spec.config_hash, spec.config_json});
  }
  for (const recipe::EvalTrialSpec& spec : recipe.evaluation) {
    if (movable(spec.legacy_config_hash, spec.config_hash)) {
      rekeys.push_back({spec.legacy_config_hash, spec.config_hash, spec.config_json});
    }
  }
  if (rekeys.empty()) return 0;
  const std::size_t moved = storage.rekey_trials(study_id, rekeys).size();
  log::info(
      "study {}: {} trials stored before evaluation settings left the training identity were re-keyed; "
      "their results and checkpoints are kept",
      study_id, moved);
  return moved;
}

}  // namespace mose::study::runner

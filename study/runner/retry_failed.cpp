#include "study/runner/retry_failed.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "base/file_checksum.h"
#include "base/log.h"
#include "study/runner/checkpoint_record.h"

namespace mose::study::runner {
namespace {

// Why the checkpoint of a done training trial cannot be evaluated ("" when it can).
std::string checkpoint_problem(db::Storage& storage, const db::TrialRecord& training,
                               const std::filesystem::path& checkpoint) {
  if (!std::filesystem::exists(checkpoint)) return "its checkpoint " + checkpoint.string() + " is missing";
  const std::optional<FileDigest> recorded = recorded_checkpoint_digest(storage, training.id);
  if (!recorded) return "its checkpoint " + checkpoint.string() + " has no recorded checksum";
  const std::string mismatch = checkpoint_mismatch(checkpoint, *recorded);
  return mismatch.empty() ? "" : fmt::format("its checkpoint {} is damaged ({})", checkpoint.string(), mismatch);
}

// Moves a checkpoint that cannot be used (and its checksum file) out of the way of the
// new training, keeping it: "<file>.damaged", or "<file>.damaged.N" when that exists.
void set_aside(const std::filesystem::path& checkpoint) {
  if (!std::filesystem::exists(checkpoint)) return;
  std::filesystem::path aside = checkpoint.string() + ".damaged";
  for (int n = 2; std::filesystem::exists(aside); ++n) aside = fmt::format("{}.damaged.{}", checkpoint.string(), n);
  std::filesystem::rename(checkpoint, aside);
  const std::filesystem::path sums = checksum_file_for(checkpoint);
  if (std::filesystem::exists(sums)) std::filesystem::rename(sums, checksum_file_for(aside));
  log::warn("{}: kept as {}; its training trial trains again", checkpoint.string(), aside.string());
}

}  // namespace

RetryCounts reset_for_retry(db::Storage& storage, const StudyPlan& plan) {
  RetryCounts counts;
  std::set<std::int64_t> checked_parents;
  for (const std::int64_t id : plan.trial_ids()) {
    const std::optional<db::TrialRecord> trial = storage.get_trial(id);
    if (!trial || trial->status != db::TrialStatus::kFailed) continue;
    if (trial->kind == db::TrialKind::kEval && trial->parent_id && checked_parents.insert(*trial->parent_id).second) {
      const std::optional<db::TrialRecord> training = storage.get_trial(*trial->parent_id);
      if (training && training->status == db::TrialStatus::kDone) {
        const std::filesystem::path checkpoint = plan.paths.checkpoint(training->config_hash);
        const std::string problem = checkpoint_problem(storage, *training, checkpoint);
        if (!problem.empty()) {
          log::warn("training trial {} ({}): {}; resetting it to train again", training->id, plan.label(training->id),
                    problem);
          set_aside(checkpoint);
          if (storage.reset_trial(training->id)) ++counts.retrained;
        }
      }
    }
    if (storage.reset_trial(id)) ++counts.failed;
  }
  return counts;
}

}  // namespace mose::study::runner

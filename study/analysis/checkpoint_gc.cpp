#include "study/analysis/checkpoint_gc.h"

#include <fmt/format.h>

#include <set>

#include "base/errors.h"
#include "base/file_checksum.h"

namespace mose::study::analysis {
namespace {

std::set<std::int64_t> frontier_trial_ids(const std::vector<Frontier>& frontiers) {
  std::set<std::int64_t> ids;
  for (const Frontier& f : frontiers) {
    for (const ParetoPoint& p : f.frontier) ids.insert(std::stoll(p.id));
  }
  return ids;
}

// True when no evaluation of `training_id` can still need its checkpoint.
bool evaluations_settled(const StudyData& data, std::int64_t training_id, const std::set<std::int64_t>& on_frontier) {
  int evaluations = 0;
  for (const TrialRow& row : data.trials) {
    if (row.trial.parent_id != training_id) continue;
    ++evaluations;
    if (row.trial.status != db::TrialStatus::kDone || on_frontier.count(row.trial.id) > 0) return false;
  }
  return evaluations > 0;
}

}  // namespace

std::vector<GcCandidate> plan_checkpoint_gc(const StudyData& data, const std::vector<Frontier>& frontiers,
                                            const recipe::StudyPaths& paths) {
  const std::set<std::int64_t> on_frontier = frontier_trial_ids(frontiers);
  std::vector<GcCandidate> candidates;
  for (const TrialRow& row : data.trials) {
    const db::TrialRecord& t = row.trial;
    if (t.kind != db::TrialKind::kTrain || t.status != db::TrialStatus::kDone) continue;
    if (!evaluations_settled(data, t.id, on_frontier)) continue;
    const std::filesystem::path file = paths.checkpoint(t.config_hash);
    std::error_code error;
    const auto bytes = std::filesystem::file_size(file, error);
    if (error) continue;  // already gone
    candidates.push_back({t.id, row.label, file, static_cast<std::int64_t>(bytes)});
  }
  return candidates;
}

std::int64_t remove_checkpoints(const std::vector<GcCandidate>& candidates) {
  std::int64_t freed = 0;
  for (const GcCandidate& c : candidates) {
    // The checksum file goes too: left alone it would vouch for nothing.
    for (const std::filesystem::path& file : {c.checkpoint, checksum_file_for(c.checkpoint)}) {
      std::error_code error;
      std::filesystem::remove(file, error);
      if (error) throw IoError(fmt::format("{}: cannot remove: {}", file.string(), error.message()));
    }
    freed += c.bytes;
  }
  return freed;
}

}  // namespace mose::study::analysis

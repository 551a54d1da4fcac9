// `mose-study gc`: frees disk by deleting the checkpoints no frontier needs. A
// training trial's checkpoint is removed only when all of these hold:
//   - the training trial is done;
//   - it has evaluation trials and every one of them is done (a pending, running or
//     failed one may still need to load it);
//   - none of its evaluation trials is on any group's frontier.
// The trial keeps its results and its artifact record; an evaluation added later for
// it fails with a message saying to reset (retrain) the training trial.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "study/analysis/analysis.h"
#include "study/analysis/pareto.h"
#include "study/recipe/study_paths.h"

namespace mose::study::analysis {

struct GcCandidate {
  std::int64_t training_id = 0;
  std::string label{};
  std::filesystem::path checkpoint{};
  std::int64_t bytes = 0;
};

// The checkpoints that may go (see above) and exist on disk under paths.
std::vector<GcCandidate> plan_checkpoint_gc(const StudyData& data, const std::vector<Frontier>& frontiers,
                                            const recipe::StudyPaths& paths);

// Deletes the candidates' checkpoints and their checksum files ("<checkpoint>.crc32");
// returns the checkpoint bytes freed. Throws IoError naming a file that cannot be removed.
std::int64_t remove_checkpoints(const std::vector<GcCandidate>& candidates);

}  // namespace mose::study::analysis

// `mose-study run --retry-failed`: the recipe's failed trials go back to pending. An
// evaluation that failed because its training trial's checkpoint is gone (deleted,
// removed by `gc`) or damaged (its CRC-32 no longer matches the one recorded when the
// training trial finished) would only fail again, so that training trial, though done,
// is reset too and trains again; training is deterministic, so it gives the same model.
// A damaged checkpoint is kept as "<file>.damaged" (its checksum file as
// "<file>.damaged.crc32"), never deleted.
#pragma once

#include <cstdint>

#include "db/storage.h"
#include "study/runner/study_plan.h"

namespace mose::study::runner {

struct RetryCounts {
  std::int64_t failed = 0;     // failed trials reset to pending
  std::int64_t retrained = 0;  // done training trials reset because their checkpoint was gone or damaged
};

RetryCounts reset_for_retry(db::Storage& storage, const StudyPlan& plan);

}  // namespace mose::study::runner

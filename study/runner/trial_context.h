// What running one claimed trial needs: the store and the lease it writes under, the
// heartbeat thread keeping that lease alive, where files go, the device, and the
// progress callback. Shared by training_trial.cpp and eval_trial.cpp.
#pragma once

#include <chrono>
#include <string>

#include "base/errors.h"
#include "db/storage.h"
#include "study/recipe/study_paths.h"
#include "study/runner/heartbeat.h"
#include "study/runner/progress.h"

namespace mose::study::runner {

// The worker no longer holds the trial (another worker reclaimed it, or it was reset):
// every write would be refused, so the attempt is abandoned without further writes.
class LeaseLost : public Error {
 public:
  using Error::Error;
  const char* category() const noexcept override { return "lease"; }
};

// How a trial attempt ended when it did not throw.
enum class TrialEnd {
  kDone,      // finished: results recorded, status done
  kReleased,  // stopped on request after checkpointing; pending again
};

struct TrialContext {
  db::Storage& storage;
  const db::ClaimedTrial& claimed;
  HeartbeatThread& heartbeat;
  const recipe::StudyPaths& paths;
  std::string device{};  // replaces the recipe's train.device when non-empty
  int worker = 0;
  ProgressFn progress{};  // may be empty
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  const db::Lease& lease() const { return claimed.lease; }
  // Throws LeaseLost when a write came back kLost.
  void check(db::LeaseState state) const;
  // Throws LeaseLost when the heartbeat thread found the lease lost.
  void check_heartbeat() const;
  // Fills worker, trial id, kind, attempt and elapsed time, then calls `progress`.
  void report(TrialProgress event) const;
};

}  // namespace mose::study::runner

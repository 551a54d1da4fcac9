// `mose-study run`: registers a recipe's trials in the store and runs them with one or
// more workers (worker.h), in this process or in forked worker processes
// (worker_pool.h), then reports how the recipe's trials stand.
//
// Re-running a recipe is safe and cheap: trials are identified by config hash, done
// trials are kept, unfinished ones continue (training resumes from its checkpoint), and
// failed ones stay failed unless retry_failed resets them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "db/records.h"
#include "study/runner/progress.h"
#include "study/runner/study_plan.h"

namespace mose::study::runner {

struct RunOptions {
  std::filesystem::path out{};      // study folder; empty = out/<study name>
  std::string storage_url{};        // empty = <out>/study.db
  int workers = 1;                  // >1: that many worker processes
  std::vector<std::string> gpus{};  // worker i runs on cuda:<gpus[i % size]>; empty = recipe's device
  bool retry_failed = false;        // reset the recipe's failed trials first
  double heartbeat_timeout_s = 60.0;
  std::int64_t max_attempts = 3;
  double poll_interval_s = 1.0;
  ProgressFn progress{};  // called from each worker (in its own process)
};

struct FailedTrial {
  std::int64_t id = 0;
  std::string label{};
  std::string error{};
};

struct RunReport {
  StudyPlan plan{};
  db::StatusCounts counts{};            // the recipe's trials only, after the run
  std::vector<FailedTrial> failures{};  // the recipe's failed trials
  std::vector<int> worker_exit_codes{};
  bool interrupted = false;  // a stop request ended the run early

  // 130 when interrupted, 1 when a trial failed or a worker died, else 0.
  int exit_code() const;
};

// Throws DbError, IoError (the study folder, worker processes); a trial's own errors
// are recorded as its failure, not thrown.
RunReport run_study(const recipe::Recipe& recipe, const RunOptions& options);

// Validates the options; throws UsageError naming the option.
void check_run_options(const RunOptions& options);

}  // namespace mose::study::runner

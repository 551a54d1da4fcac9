// One worker: claims the study's trials one at a time and runs them until none is
// left (claim -> run -> finish | fail | release). Trials held by other workers are
// waited for, polling the store, so that every worker ends when the study does; a
// running trial whose worker died becomes claimable after the heartbeat timeout and
// is taken over here. A trial that throws is recorded as failed with the error and the
// worker goes on with the next one. A stop request (stop_signal.h) ends the worker
// after the current trial checkpointed and was handed back.
#pragma once

#include <cstdint>
#include <string>

#include "study/runner/progress.h"
#include "study/runner/study_plan.h"

namespace mose::study::runner {

struct WorkerOptions {
  int index = 0;                      // within this run; names the worker and picks its device
  std::string device{};               // replaces every trial's train.device when non-empty ("cuda:1")
  double heartbeat_timeout_s = 60.0;  // a running trial silent this long is presumed abandoned
  std::int64_t max_attempts = 3;      // see db::ClaimRequest
  double poll_interval_s = 1.0;       // wait between claims while others hold the remaining trials
  ProgressFn progress{};
};

struct WorkerReport {
  std::int64_t done = 0;
  std::int64_t failed = 0;    // trials this worker recorded as failed
  std::int64_t released = 0;  // stopped on request, pending again
  std::int64_t lost = 0;      // taken over by another worker
  bool stopped = false;       // ended by a stop request

  // 0 when every trial it ran finished, 130 when stopped, else 1.
  int exit_code() const;
};

// "<host>:<pid>:w<index>", unique among live workers; inside a Slurm job
// followed by ":slurm-<job>" (slurm_job_suffix), so the store (and `mose-study
// status`) tells which host and which Slurm job runs each trial.
std::string worker_id(int index);
// ":slurm-1234_5" (array job 1234, task 5), ":slurm-1234" (plain job), or "".
std::string slurm_job_suffix();

// Connects to plan.paths.storage_url itself (a Storage serves one thread, and this may
// run in a forked process). Throws DbError when the store fails.
WorkerReport run_worker(const StudyPlan& plan, const WorkerOptions& options);

}  // namespace mose::study::runner

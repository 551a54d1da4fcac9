#include "study/runner/runner.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"
#include "base/log.h"
#include "study/runner/retry_failed.h"
#include "study/runner/stop_signal.h"
#include "study/runner/worker.h"
#include "study/runner/worker_pool.h"

namespace mose::study::runner {
namespace {

StudyPlan register_and_prepare(const recipe::Recipe& recipe, const RunOptions& options) {
  recipe::StudyPaths paths = recipe::study_paths(recipe.name, options.out, options.storage_url);
  std::filesystem::create_directories(paths.out);
  // The connection closes before any worker process is forked (see worker_pool.h).
  const std::unique_ptr<db::Storage> storage = db::open_storage(paths.storage_url);
  StudyPlan plan = register_study(*storage, recipe, std::move(paths));
  const RetryCounts reset = options.retry_failed ? reset_for_retry(*storage, plan) : RetryCounts{};
  std::string resets;
  if (reset.failed > 0) resets += fmt::format(", {} failed reset to pending", reset.failed);
  if (reset.retrained > 0) resets += fmt::format(", {} done training trials to train again", reset.retrained);
  log::info("study '{}' in {}: {} trials ({} training, {} evaluation), {} new{}", plan.study.name, storage->describe(),
            plan.by_id.size(), plan.training_ids.size(), plan.eval_ids.size(), plan.added, resets);
  return plan;
}

WorkerOptions worker_options(const RunOptions& options, int index) {
  WorkerOptions w;
  w.index = index;
  if (!options.gpus.empty()) w.device = "cuda:" + options.gpus[static_cast<std::size_t>(index) % options.gpus.size()];
  w.heartbeat_timeout_s = options.heartbeat_timeout_s;
  w.max_attempts = options.max_attempts;
  w.poll_interval_s = options.poll_interval_s;
  // No CPU threads here: each trial runs with its own train.cpu_threads whatever the
  // number of workers, so the same trial gives the same result in any run.
  w.progress = options.progress;
  return w;
}

std::vector<int> run_workers(const StudyPlan& plan, const RunOptions& options) {
  if (options.workers == 1) return {run_worker(plan, worker_options(options, 0)).exit_code()};
  return run_in_processes(options.workers,
                          [&](int index) { return run_worker(plan, worker_options(options, index)).exit_code(); });
}

void summarise(RunReport& report) {
  const std::unique_ptr<db::Storage> storage = db::open_storage(report.plan.paths.storage_url);
  for (const db::TrialRecord& trial : storage->list_trials({.study_id = report.plan.study.id})) {
    if (!report.plan.find(trial.id)) continue;
    switch (trial.status) {
      case db::TrialStatus::kPending: ++report.counts.pending; break;
      case db::TrialStatus::kRunning: ++report.counts.running; break;
      case db::TrialStatus::kDone: ++report.counts.done; break;
      case db::TrialStatus::kFailed:
        ++report.counts.failed;
        report.failures.push_back({trial.id, report.plan.label(trial.id), trial.error});
        break;
    }
  }
}

}  // namespace

void check_run_options(const RunOptions& options) {
  if (options.workers < 1) throw UsageError(fmt::format("--workers {}: expected at least 1", options.workers));
  if (!(options.heartbeat_timeout_s > 0)) {
    throw UsageError(
        fmt::format("--heartbeat-timeout {}: expected a positive number of seconds", options.heartbeat_timeout_s));
  }
  if (options.max_attempts < 1) {
    throw UsageError(fmt::format("--max-attempts {}: expected at least 1", options.max_attempts));
  }
  for (const std::string& gpu : options.gpus) {
    if (gpu.empty() || gpu.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(fmt::format("--gpus: '{}' is not a GPU index; expected a list such as 0,1", gpu));
    }
  }
}

int RunReport::exit_code() const {
  if (interrupted) return 130;
  const bool worker_died =
      std::any_of(worker_exit_codes.begin(), worker_exit_codes.end(), [](int code) { return code != 0 && code != 1; });
  return counts.failed > 0 || worker_died ? 1 : 0;
}

RunReport run_study(const recipe::Recipe& recipe, const RunOptions& options) {
  check_run_options(options);
  RunReport report{.plan = register_and_prepare(recipe, options)};
  report.worker_exit_codes = run_workers(report.plan, options);
  for (std::size_t i = 0; i < report.worker_exit_codes.size(); ++i) {
    const int code = report.worker_exit_codes[i];
    if (code > 1 && code != 130) log::error("worker {} ended abnormally (exit code {})", i, code);
  }
  report.interrupted = stop_requested();
  summarise(report);
  return report;
}

}  // namespace mose::study::runner

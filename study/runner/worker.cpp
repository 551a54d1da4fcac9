#include "study/runner/worker.h"

#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/log.h"
#include "core/spec/engine.h"
#include "study/runner/environment.h"
#include "study/runner/eval_trial.h"
#include "study/runner/heartbeat.h"
#include "study/runner/stop_signal.h"
#include "study/runner/training_trial.h"

namespace mose::study::runner {
namespace {

TrialEnd run_planned(const TrialContext& context, const StudyPlan& plan, const PlannedTrial& planned) {
  const recipe::Recipe& recipe = plan.recipe;
  if (planned.kind == db::TrialKind::kTrain) return run_training_trial(context, recipe.training.at(planned.index));
  const recipe::EvalTrialSpec& spec = recipe.evaluation.at(planned.index);
  return run_eval_trial(context, spec, recipe.training.at(spec.training_index));
}

// Where and how a trial runs, for its environment record: the device (as asked), and
// the intra-op CPU threads the engine sets for it (train.cpu_threads of its training
// trial, which evaluations share).
std::vector<db::EnvironmentEntry> trial_environment(const StudyPlan& plan, const PlannedTrial& planned,
                                                    const std::string& override_device) {
  const std::size_t training =
      planned.kind == db::TrialKind::kTrain ? planned.index : plan.recipe.evaluation.at(planned.index).training_index;
  const core::spec::TrainConfig& train = plan.recipe.training.at(training).config.train;
  return collect_environment(override_device.empty() ? train.device : override_device, train.cpu_threads);
}

class Worker {
 public:
  Worker(const StudyPlan& plan, const WorkerOptions& options)
      : plan_(plan),
        options_(options),
        id_(worker_id(options.index)),
        // A lost connection is waited out (db::StorageOptions), unless the worker is told to stop.
        storage_(db::open_storage(plan.paths.storage_url, {.cancel_reconnect = stop_requested})),
        heartbeat_(plan.paths.storage_url, heartbeat_interval(options.heartbeat_timeout_s)) {}

  WorkerReport run();

 private:
  bool study_over();
  void run_claimed(const db::ClaimedTrial& claimed);
  void run_attempt(const TrialContext& context, const PlannedTrial& planned);
  void reject_foreign(const db::ClaimedTrial& claimed);
  void hand_back_stopped(const TrialContext& context, const std::string& label, const std::string& why);

  const StudyPlan& plan_;
  const WorkerOptions& options_;
  std::string id_;
  std::unique_ptr<db::Storage> storage_;
  HeartbeatThread heartbeat_;
  WorkerReport report_;
};

WorkerReport Worker::run() {
  const db::ClaimRequest request{.worker = id_,
                                 .heartbeat_timeout_s = options_.heartbeat_timeout_s,
                                 .max_attempts = options_.max_attempts,
                                 .study_id = plan_.study.id};
  while (!stop_requested()) {
    const std::optional<db::ClaimedTrial> claimed = storage_->claim_next(request);
    if (claimed) {
      run_claimed(*claimed);
    } else if (study_over()) {
      break;
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(options_.poll_interval_s));
    }
  }
  report_.stopped = stop_requested();
  return report_;
}

// Nothing claimable now: the study is over when no trial is pending or running;
// otherwise other workers hold the rest (or the trials waiting on them).
bool Worker::study_over() {
  const db::StatusCounts counts = storage_->count_trials(plan_.study.id);
  return counts.pending + counts.running == 0;
}

void Worker::run_claimed(const db::ClaimedTrial& claimed) {
  const std::optional<PlannedTrial> planned = plan_.find(claimed.trial.id);
  if (!planned) {
    reject_foreign(claimed);
    return;
  }
  heartbeat_.hold(claimed.lease);
  TrialContext context{*storage_, claimed, heartbeat_, plan_.paths, options_.device, options_.index, options_.progress};
  const std::string label = plan_.label(claimed.trial.id);
  context.report({.phase = TrialPhase::kStarted, .label = label});
  try {
    context.check(storage_->set_environment(claimed.lease, trial_environment(plan_, *planned, options_.device)));
    run_attempt(context, *planned);
  } catch (const core::spec::EvaluationStopped& e) {
    hand_back_stopped(context, label, e.what());
  } catch (const LeaseLost& e) {
    ++report_.lost;
    log::warn("{}", e.what());
    context.report({.phase = TrialPhase::kLost, .label = label, .message = e.what()});
  } catch (const std::exception& e) {
    ++report_.failed;
    const std::string error = describe(e);
    log::error("trial {} ({}) failed: {}", claimed.trial.id, label, error);
    context.report({.phase = TrialPhase::kFailed, .label = label, .message = error});
    if (storage_->fail(claimed.lease, error) == db::LeaseState::kLost) {
      log::warn("trial {}: could not record the failure: the trial was taken over meanwhile", claimed.trial.id);
    }
  }
  heartbeat_.drop();
}

// A stop request ended an evaluation midway: nothing of it is kept, and the trial goes
// back to pending to be evaluated again (a training trial keeps its final checkpoint).
void Worker::hand_back_stopped(const TrialContext& context, const std::string& label, const std::string& why) {
  if (storage_->release(context.lease()) == db::LeaseState::kLost) {
    ++report_.lost;
    log::warn("trial {}: {}, but it had been taken over meanwhile", context.lease().trial_id, why);
    return;
  }
  ++report_.released;
  context.report({.phase = TrialPhase::kReleased, .label = label, .message = why + "; it runs again on the next run"});
}

void Worker::run_attempt(const TrialContext& context, const PlannedTrial& planned) {
  switch (run_planned(context, plan_, planned)) {
    case TrialEnd::kDone: ++report_.done; break;
    case TrialEnd::kReleased: ++report_.released; break;
  }
}

// A trial of this study that the recipe no longer lists (an earlier version of the
// recipe added it): this worker has no settings to run it with. Failing it with the
// reason keeps it from blocking the study; reset it after restoring its recipe.
void Worker::reject_foreign(const db::ClaimedTrial& claimed) {
  const std::string error = fmt::format(
      "trial {} (config hash {}) is not in recipe {} any more: an earlier version of the recipe added it to study "
      "'{}'; run that version (after resetting the trial) to run it",
      claimed.trial.id, claimed.trial.config_hash, plan_.recipe.path.string(), plan_.study.name);
  log::warn("{}", error);
  storage_->fail(claimed.lease, error);
}

}  // namespace

int WorkerReport::exit_code() const {
  if (stopped) return 130;
  return failed > 0 ? 1 : 0;
}

std::string worker_id(int index) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return fmt::format("{}:{}:w{}{}", host, ::getpid(), index, slurm_job_suffix());
}

// Slurm's name for the job this process runs in, as squeue shows it: "1234_5"
// for task 5 of array job 1234, "1234" for a plain job; empty outside Slurm.
std::string slurm_job_suffix() {
  const auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  const std::string array_job = env("SLURM_ARRAY_JOB_ID");
  const std::string array_task = env("SLURM_ARRAY_TASK_ID");
  if (!array_job.empty() && !array_task.empty()) return ":slurm-" + array_job + "_" + array_task;
  const std::string job = env("SLURM_JOB_ID");
  return job.empty() ? "" : ":slurm-" + job;
}

WorkerReport run_worker(const StudyPlan& plan, const WorkerOptions& options) {
  Worker worker(plan, options);
  return worker.run();
}

}  // namespace mose::study::runner

#include "study/runner/eval_trial.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "base/file_checksum.h"
#include "core/spec/engine.h"
#include "study/runner/checkpoint_record.h"
#include "study/runner/eval_metrics.h"
#include "study/runner/stop_signal.h"

namespace mose::study::runner {
namespace {

// The checkpoint must be the file its training trial recorded when it finished (kind
// "checkpoint": CRC-32 and size): a damaged one would still load and evaluate, to a
// wrong loss recorded as a result.
void verify_checkpoint(const TrialContext& context, const std::filesystem::path& checkpoint,
                       const recipe::TrainingTrialSpec& training) {
  const std::int64_t parent = context.claimed.trial.parent_id.value_or(0);
  const std::optional<FileDigest> recorded = recorded_checkpoint_digest(context.storage, parent);
  if (!recorded) {
    throw CheckpointError(
        fmt::format("{}: training trial {} ({}) recorded no checksum for its checkpoint, so it "
                    "cannot be verified; run again with --retry-failed to train that training trial again",
                    checkpoint.string(), parent, training.label));
  }
  const std::string mismatch = checkpoint_mismatch(checkpoint, *recorded);
  if (mismatch.empty()) return;
  throw CheckpointError(
      fmt::format("{}: {} recorded by training trial {} ({}) when it finished: the file is damaged and is not "
                  "evaluated; restore it, or run again with --retry-failed: that training trial trains again (the "
                  "damaged file is kept as .damaged)",
                  checkpoint.string(), mismatch, parent, training.label));
}

}  // namespace

TrialEnd run_eval_trial(const TrialContext& context, const recipe::EvalTrialSpec& spec,
                        const recipe::TrainingTrialSpec& training) {
  const core::spec::RunConfig config =
      worker_config(training.config, training.config_hash, context.paths, context.device);
  const std::string& checkpoint = config.train.checkpoint_path;
  if (!std::filesystem::exists(checkpoint)) {
    throw CheckpointError(
        fmt::format("{}: checkpoint of training trial {} ({}) is missing; it may have been removed "
                    "by 'mose-study gc': run again with --retry-failed to train that training trial again",
                    checkpoint, context.claimed.trial.parent_id.value_or(0), training.label));
  }
  verify_checkpoint(context, checkpoint, training);
  context.report({.phase = TrialPhase::kEvaluating, .label = spec.label});
  // A stop request or a lost lease ends the evaluation within a batch (the worker hands it back).
  const core::spec::EvalHooks hooks{.stop_requested = [&] {
    context.check_heartbeat();
    return stop_requested();
  }};
  const core::spec::LmEvalResult result = core::spec::evaluate_run(config, checkpoint, spec.policy, hooks);
  context.check_heartbeat();
  std::vector<db::Metric> metrics = eval_metrics(result, config.model);
  metrics.push_back({"width", spec.policy.width});
  context.check(context.storage.finish(context.lease(), metrics));
  std::string message = fmt::format("val_loss {:.4f} at {:.3e} FLOPs/token (expert budget {:.3f})", result.lm_loss,
                                    result.flops.total(), result.expert_budget);
  for (const core::spec::TaskResult& task : result.tasks)
    message += fmt::format("; {} acc {:.3f}", task.name, task.accuracy);
  if (!result.budget_note.empty()) message += "; " + result.budget_note;
  context.report({.phase = TrialPhase::kDone, .label = spec.label, .message = message});
  return TrialEnd::kDone;
}

}  // namespace mose::study::runner

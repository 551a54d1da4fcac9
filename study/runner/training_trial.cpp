#include "study/runner/training_trial.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "base/file_checksum.h"
#include "core/spec/engine.h"
#include "study/analysis/metric_names.h"
#include "study/runner/stop_signal.h"

namespace mose::study::runner {
namespace {

// Receives the trainer's hooks: keeps the curves the history of the checkpoint being
// trained, writes curve points and progress, and answers stop polls.
class TrainingRecorder {
 public:
  TrainingRecorder(const TrialContext& context, const recipe::TrainingTrialSpec& spec)
      : context_(context), spec_(spec) {}

  core::spec::TrainHooks hooks() {
    return {[this](std::int64_t first_step) { on_start(first_step); },
            [this](const core::spec::TrainStepLog& log) { on_log(log); }, [this] { return on_stop_poll(); }};
  }

  std::optional<double> last_loss() const { return last_loss_; }

 private:
  // Points an earlier attempt logged past the checkpoint this one resumes from (it died
  // before checkpointing them, or the checkpoint was removed) describe no model that
  // exists any more; the points up to it are kept, a retried trial's included.
  void on_start(std::int64_t first_step) {
    first_step_ = first_step;
    context_.check(context_.storage.drop_curves_after(context_.lease(), first_step));
  }

  void on_log(const core::spec::TrainStepLog& log) {
    std::vector<db::CurvePoint> points{
        {analysis::kCurveLmLoss, log.step, log.lm_loss},
        {analysis::kCurveAuxLoss, log.step, log.aux_loss},
        {analysis::kCurveBalanceLoss, log.step, log.balance_loss},
        {analysis::kCurveZLoss, log.step, log.z_loss},
        {analysis::kCurveLr, log.step, log.lr},
        {analysis::kCurveGradNorm, log.step, log.grad_norm},
        {analysis::kCurveTokensPerS, log.step, log.tokens_per_s},
        {analysis::kCurveTokens, log.step, static_cast<double>(log.tokens)},
    };
    // Passes at the same width share a label (a random draw may repeat the smallest
    // width): one curve per label, the mean over its passes, so curves stay comparable
    // from step to step.
    std::map<std::string, std::pair<double, int>> by_label;
    for (const auto& [label, loss] : log.pass_losses) {
      auto& [sum, count] = by_label[label];
      sum += loss;
      ++count;
    }
    for (const auto& [label, sum_count] : by_label) {
      points.push_back({analysis::kCurvePassLossPrefix + label, log.step, sum_count.first / sum_count.second});
    }
    context_.check(context_.storage.append_curve(context_.lease(), points));
    last_loss_ = log.lm_loss;
    report(log);
  }

  void report(const core::spec::TrainStepLog& log) {
    const std::int64_t steps = spec_.config.train.steps;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - context_.started).count();
    const std::int64_t ran = log.step - first_step_;  // steps this attempt
    const double eta = ran > 0 ? elapsed / static_cast<double>(ran) * static_cast<double>(steps - log.step) : -1;
    context_.report({.phase = TrialPhase::kTraining,
                     .label = spec_.label,
                     .step = log.step,
                     .steps = steps,
                     .loss = log.lm_loss,
                     .tokens_per_s = log.tokens_per_s,
                     .eta_s = eta});
  }

  bool on_stop_poll() {
    context_.check_heartbeat();  // a lost trial stops at once, without a checkpoint
    return stop_requested();
  }

  const TrialContext& context_;
  const recipe::TrainingTrialSpec& spec_;
  std::int64_t first_step_ = 0;
  std::optional<double> last_loss_;
};

// The LM loss of the last logged step: this attempt's, or when this attempt ran no
// step (it resumed from a final checkpoint) the one an earlier attempt stored.
double final_train_loss(const TrialContext& context, const TrainingRecorder& recorder) {
  if (recorder.last_loss()) return *recorder.last_loss();
  double loss = std::numeric_limits<double>::quiet_NaN();
  for (const db::CurvePoint& point : context.storage.get_curves(context.lease().trial_id)) {
    if (point.name == analysis::kCurveLmLoss) loss = point.value;  // ordered by step: the last one wins
  }
  return loss;
}

// train_seconds and train_tokens_per_s cover every step of the final model, over all the
// attempts that trained them (the checkpoint carries the earlier ones' time); the
// attempt_ pair covers this attempt alone.
std::vector<db::Metric> training_metrics(const core::spec::TrainSummary& summary, double train_loss) {
  const core::spec::TrainOutcome& o = summary.outcome;
  const double tokens_per_step = o.steps_done > 0 ? static_cast<double>(o.tokens_seen) / o.steps_done : 0.0;
  const double attempt_tokens = tokens_per_step * static_cast<double>(o.steps_done - o.first_step);
  const auto per_second = [](double tokens, double seconds) { return seconds > 0 ? tokens / seconds : 0.0; };
  return {
      {analysis::kTrainLoss, train_loss},
      {analysis::kSteps, static_cast<double>(o.steps_done)},
      {analysis::kTokens, static_cast<double>(o.tokens_seen)},
      {analysis::kTrainSeconds, o.total_seconds},
      {analysis::kTrainTokensPerS, per_second(static_cast<double>(o.tokens_seen), o.total_seconds)},
      {analysis::kAttemptTrainSeconds, o.seconds},
      {analysis::kAttemptTokensPerS, per_second(attempt_tokens, o.seconds)},
      {analysis::kResumedFromStep, static_cast<double>(o.first_step)},
      {analysis::kParameters, static_cast<double>(summary.parameters)},
      {analysis::kExpertParameters, static_cast<double>(summary.expert_parameters)},
      {analysis::kVocabSize, static_cast<double>(summary.vocab_size)},
  };
}

}  // namespace

TrialEnd run_training_trial(const TrialContext& context, const recipe::TrainingTrialSpec& spec) {
  const core::spec::RunConfig config = worker_config(spec.config, spec.config_hash, context.paths, context.device);
  std::filesystem::create_directories(context.paths.checkpoints());
  TrainingRecorder recorder(context, spec);
  const core::spec::TrainSummary summary = core::spec::train_run(config, recorder.hooks());
  if (summary.outcome.stopped) {
    context.check(context.storage.release(context.lease()));
    context.report({.phase = TrialPhase::kReleased,
                    .label = spec.label,
                    .message = fmt::format("stopped at step {}; checkpoint {}", summary.outcome.steps_done,
                                           config.train.checkpoint_path)});
    return TrialEnd::kReleased;
  }
  // Evaluation is its evaluation trials' job (each policy, task and token count one),
  // never this trial's: what it records depends only on what it trained, and a task
  // that cannot be scored fails an evaluation trial, not the model.
  context.report({.phase = TrialPhase::kRecording, .label = spec.label});
  const std::vector<db::Metric> metrics = training_metrics(summary, final_train_loss(context, recorder));
  // The digest its save computed from the bytes it wrote (the checksum file): no second
  // read, and a file damaged since can never be recorded as good. Recorded relative to
  // the study folder, so the record stays true when the folder moves.
  const std::optional<std::vector<FileDigest>> saved = read_checksum_file(config.train.checkpoint_path);
  const FileDigest digest = saved && saved->size() == 1 ? saved->front() : file_crc32(config.train.checkpoint_path);
  const std::string relative =
      context.paths.checkpoint(spec.config_hash).lexically_relative(context.paths.out).string();
  context.check(context.storage.add_artifact(context.lease(), {"checkpoint", relative, digest.checksum, digest.bytes}));
  context.check(context.storage.finish(context.lease(), metrics));
  context.report(
      {.phase = TrialPhase::kDone,
       .label = spec.label,
       .message = fmt::format("{} steps, train_loss {:.4f}", summary.outcome.steps_done, metrics.front().value)});
  return TrialEnd::kDone;
}

}  // namespace mose::study::runner

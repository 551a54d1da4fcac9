// What a worker reports while it runs trials, for a progress display. Workers publish
// plain events through a callback and never print; the CLI decides how to show them
// (a one-line bar on a terminal, log lines otherwise). Events come from the worker's
// own thread, one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace mose::study::runner {

enum class TrialPhase {
  kStarted,     // claimed; nothing run yet
  kTraining,    // a training log point (step, loss, tokens/s)
  kEvaluating,  // validation forward passes under way
  kRecording,   // trained and checkpointed; the checkpoint and results are being recorded
  kDone,        // finished; `message` summarises the result
  kFailed,      // `message` is the error
  kReleased,    // stopped on request; the trial is pending again
  kLost,        // another worker took the trial over; this one dropped it
};

struct TrialProgress {
  TrialPhase phase = TrialPhase::kStarted;
  int worker = 0;  // worker index within this run
  std::int64_t trial_id = 0;
  std::string kind{};   // "train" | "eval"
  std::string label{};  // the recipe's trial label
  std::int64_t attempt = 0;
  std::int64_t step = 0;      // kTraining: optimizer steps done
  std::int64_t steps = 0;     // kTraining: steps in the run
  double loss = 0.0;          // kTraining: LM loss at `step`
  double tokens_per_s = 0.0;  // kTraining: over the last logging interval
  double elapsed_s = 0.0;     // since the trial was claimed
  double eta_s = -1.0;        // kTraining: seconds to the last step; < 0 when unknown
  std::string message{};
};

using ProgressFn = std::function<void(const TrialProgress&)>;

const char* phase_name(TrialPhase phase);

}  // namespace mose::study::runner

// A caller's request to stop a long evaluation (core/spec/engine.h, EvalHooks), checked
// between batches. evaluate_run installs the caller's poll on its thread for the length
// of the call (StopPollScope); every batch loop that runs the model for evaluation,
// calibration or task scoring calls throw_if_stop_requested() before its next batch.
//
// The poll is per thread rather than a parameter because those loops sit beneath the
// width-policy extension point: a calibrating policy evaluates the model many times
// from its own factory, and every factory would otherwise have to carry it.
#pragma once

#include <functional>
#include <string>

namespace mose::core::eval {

class StopPollScope {
 public:
  // `what` names the evaluation in the EvaluationStopped message (its checkpoint).
  StopPollScope(std::function<bool()> poll, std::string what);
  ~StopPollScope();  // restores the poll that was installed before
  StopPollScope(const StopPollScope&) = delete;
  StopPollScope& operator=(const StopPollScope&) = delete;

 private:
  std::function<bool()> previous_poll_;
  std::string previous_what_;
};

// Throws spec::EvaluationStopped when this thread's poll answers true; does nothing
// when no poll is installed (evaluation called directly, tests, benchmarks).
void throw_if_stop_requested();

}  // namespace mose::core::eval

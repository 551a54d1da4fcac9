#include "study/runner/progress.h"

namespace mose::study::runner {

const char* phase_name(TrialPhase phase) {
  switch (phase) {
    case TrialPhase::kStarted: return "started";
    case TrialPhase::kTraining: return "training";
    case TrialPhase::kEvaluating: return "evaluating";
    case TrialPhase::kRecording: return "recording";
    case TrialPhase::kDone: return "done";
    case TrialPhase::kFailed: return "failed";
    case TrialPhase::kReleased: return "released";
    case TrialPhase::kLost: return "lost";
  }
  return "?";
}

}  // namespace mose::study::runner

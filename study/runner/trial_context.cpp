#include "study/runner/trial_context.h"

#include <fmt/format.h>

namespace mose::study::runner {

void TrialContext::check(db::LeaseState state) const {
  if (state == db::LeaseState::kHeld) return;
  throw LeaseLost(
      fmt::format("trial {}: worker {} lost its claim (attempt {}): another worker took the trial over "
                  "or it was reset",
                  lease().trial_id, lease().worker, lease().attempt));
}

void TrialContext::check_heartbeat() const {
  if (heartbeat.lost()) check(db::LeaseState::kLost);
}

void TrialContext::report(TrialProgress event) const {
  if (!progress) return;
  event.worker = worker;
  event.trial_id = claimed.trial.id;
  event.kind = std::string(db::to_string(claimed.trial.kind));
  event.attempt = claimed.lease.attempt;
  event.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress(event);
}

}  // namespace mose::study::runner

// Ctrl-C and SIGTERM as a request to stop cleanly: the handler only sets a flag
// that training polls between steps (it then checkpoints), evaluation between batches
// (core/spec/engine.h, EvalHooks: it is abandoned) and workers between trials (a
// stopped trial is handed back to pending, to resume later).
// The flag is process-wide because a signal handler can reach nothing else; it is
// the one piece of global state besides the logger.
//
// A second SIGINT or SIGTERM ends the process at once with 128 + the signal (130 for
// Ctrl-C, 143 for SIGTERM), without handing its trial back: that trial is taken over
// after the heartbeat timeout. A stop passed on by a parent process (worker_pool.h) as
// kForwardedStop sets the flag but never counts as the second signal.
#pragma once

#include <signal.h>

namespace mose::study::runner {

// How worker_pool.h passes a stop on to its worker processes.
inline constexpr int kForwardedStop = SIGUSR1;

// Installs handlers for SIGINT, SIGTERM and kForwardedStop that set the stop flag.
// Idempotent. Handlers survive fork(), so worker processes stop on the same signals.
void install_stop_handlers();

// True once SIGINT, SIGTERM or kForwardedStop arrived (or request_stop was called).
bool stop_requested();

// Sets the flag as a signal would; for workers told to stop by their parent and for tests.
void request_stop();

// Clears the flag and the count of signals; for tests that run several studies in one process.
void clear_stop_request();

}  // namespace mose::study::runner

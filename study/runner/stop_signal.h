// Ctrl-C and SIGTERM as a request to stop cleanly: the handler only sets a flag
// that training polls between steps (it then checkpoints), evaluation between batches
// (core/spec/engine.h, EvalHooks: it is abandoned) and workers between trials (a
// stopped trial is handed back to pending, to resume later).
// The flag is process-wide because a signal handler can reach nothing else; it is
// the one piece of global state besides the logger.
#pragma once

namespace mose::study::runner {

// Installs handlers for SIGINT and SIGTERM that set the stop flag. Idempotent.
// Handlers survive fork(), so worker processes stop on the same signals.
void install_stop_handlers();

// True once SIGINT or SIGTERM arrived (or request_stop was called).
bool stop_requested();

// The signal that asked for the stop (0 when none, -1 for request_stop).
int stop_signal();

// Sets the flag as a signal would; for workers told to stop by their parent and for tests.
void request_stop();

// Clears the flag; for tests that run several studies in one process.
void clear_stop_request();

}  // namespace mose::study::runner

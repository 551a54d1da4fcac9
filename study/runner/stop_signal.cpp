#include "study/runner/stop_signal.h"

#include <signal.h>

#include <atomic>

namespace mose::study::runner {
namespace {

// Lock-free so that the handler may touch it (async-signal-safe).
std::atomic<int> received_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int signal_number) { received_signal.store(signal_number); }

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // Interrupted system calls resume: the flag is polled, nothing waits on EINTR.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return received_signal.load() != 0; }

int stop_signal() { return received_signal.load(); }

void request_stop() { received_signal.store(-1); }

void clear_stop_request() { received_signal.store(0); }

}  // namespace mose::study::runner

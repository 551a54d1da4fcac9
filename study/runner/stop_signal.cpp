#include "study/runner/stop_signal.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace mose::study::runner {
namespace {

// Lock-free so that the handler may touch them (async-signal-safe).
std::atomic<int> received_signal{0};      // what asked first (0: nothing yet)
std::atomic<int> interrupts_received{0};  // SIGINT and SIGTERM only, not kForwardedStop
static_assert(std::atomic<int>::is_always_lock_free);

// The first SIGINT or SIGTERM asks for a clean stop; the second one is the user (or a
// scheduler) insisting, so the process ends at once, as it would without a handler.
// A stop passed on by the parent process (kForwardedStop) never counts as that second
// one: on Ctrl-C in a terminal every worker gets SIGINT itself and, shortly after, the
// forwarded stop for the same keypress.
extern "C" void on_stop_signal(int signal_number) {
  if (signal_number != kForwardedStop && interrupts_received.fetch_add(1) > 0) {
    constexpr char kMessage[] =
        "\nmose-study: stopping at once (second interrupt); a trial it ran is taken over after the heartbeat "
        "timeout\n";
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(128 + signal_number);
  }
  int none = 0;
  received_signal.compare_exchange_strong(none, signal_number);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // Interrupted system calls resume: the flag is polled, nothing waits on EINTR.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(kForwardedStop, &action, nullptr);
}

bool stop_requested() { return received_signal.load() != 0; }

void request_stop() {
  int none = 0;
  received_signal.compare_exchange_strong(none, -1);
}

void clear_stop_request() {
  received_signal.store(0);
  interrupts_received.store(0);
}

}  // namespace mose::study::runner

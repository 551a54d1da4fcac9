#include "study/runner/worker_pool.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "base/errors.h"
#include "base/log.h"
#include "study/runner/stop_signal.h"

namespace mose::study::runner {
namespace {

// A worker must not outlive the process that started it (kill -9 of `mose-study run`
// would leave it running the study to its end, unseen): the kernel sends it
// kForwardedStop when its parent dies, which it takes as a stop request (stop_signal.h),
// so it checkpoints, hands its trial back and exits. Not SIGTERM: after a Ctrl-C that
// reached the worker itself, a SIGTERM would count as the second interrupt and end it
// without its checkpoint. (The signal follows the thread that forked; that is the
// caller's, which waits for every child before it returns.) A parent that died before
// prctl() took effect is caught by its pid: the child was re-parented already.
void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, kForwardedStop);
  if (::getppid() != parent) ::_exit(128 + SIGTERM);
}

// In the child: never returns into the caller's stack (no destructors of objects the
// parent owns, no second run of its atexit handlers).
[[noreturn]] void run_child(int index, pid_t parent, const std::function<int(int)>& work) {
  install_stop_handlers();  // so that a forwarded stop (and the parent's death) is a stop, never a kill
  die_with_parent(parent);
  int code = 1;
  try {
    code = work(index);
  } catch (const std::exception& e) {
    log::error("worker {}: {}", index, describe(e));
  }
  std::fflush(nullptr);
  ::_exit(code);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Polls rather than blocking in waitpid so that a stop request can be forwarded.
void wait_all(const std::vector<pid_t>& pids, std::vector<int>& codes) {
  std::size_t running = pids.size();
  bool forwarded = false;
  while (running > 0) {
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (codes[i] >= 0) continue;
      int status = 0;
      const pid_t done = ::waitpid(pids[i], &status, WNOHANG);
      if (done == pids[i] || (done < 0 && errno != EINTR)) {
        codes[i] = done == pids[i] ? exit_code(status) : 1;
        --running;
      }
    }
    if (stop_requested() && !forwarded) {
      for (std::size_t i = 0; i < pids.size(); ++i) {
        if (codes[i] < 0) ::kill(pids[i], kForwardedStop);
      }
      forwarded = true;
    }
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

std::vector<int> run_in_processes(int count, const std::function<int(int)>& work) {
  std::vector<pid_t> pids;
  std::string start_error;
  const pid_t parent = ::getpid();
  for (int i = 0; i < count && start_error.empty(); ++i) {
    std::fflush(nullptr);  // or buffered output would be written by parent and child
    const pid_t pid = ::fork();
    if (pid == 0) run_child(i, parent, work);
    if (pid < 0) {
      start_error = fmt::format("cannot start worker process {} of {}: {}", i + 1, count, std::strerror(errno));
    } else {
      pids.push_back(pid);
    }
  }
  std::vector<int> codes(pids.size(), -1);
  wait_all(pids, codes);
  if (!start_error.empty()) throw IoError(start_error);
  return codes;
}

}  // namespace mose::study::runner

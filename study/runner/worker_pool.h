// Several workers on one machine as separate processes (fork), each with its own
// store connection, device and torch state; the store hands every trial to exactly one
// of them (db::Storage::claim_next). Processes rather than threads because a Storage,
// a training run's torch thread pool and a CUDA device each belong to one worker.
//
// fork() is safe here because the caller forks before it has used torch (no thread
// pool, no CUDA context yet) and with no store connection open (SQLite connections must
// not cross a fork); each child opens its own.
#pragma once

#include <functional>
#include <vector>

namespace mose::study::runner {

// Runs `work(i)` for i in [0, count) in `count` child processes and waits for all of
// them. A child's exit code is work's return value; an exception escaping `work` is
// logged and gives 1; a child killed by signal s reports 128 + s. While waiting, a stop
// request (stop_signal.h) is passed on to the children as kForwardedStop, once. Children die
// with the calling process: when it ends, however abruptly (kill -9), each gets kForwardedStop,
// a stop request, so it hands its trial back and exits within seconds.
// Throws IoError when a process cannot be started (children already started are
// waited for first).
std::vector<int> run_in_processes(int count, const std::function<int(int)>& work);

}  // namespace mose::study::runner

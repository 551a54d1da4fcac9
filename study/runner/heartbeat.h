// Keeps a worker's lease alive while a long trial runs. Training writes curve
// points (which also refresh the heartbeat) only every log_every steps and
// evaluation writes nothing until it ends, so a background thread heartbeats every
// few seconds; otherwise a slow step would look like a dead worker and the trial
// would be handed to another one. The thread opens its own Storage because a
// Storage serves one thread (db/storage.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "db/records.h"

namespace mose::study::runner {

class HeartbeatThread {
 public:
  // Starts the thread; it connects to `storage_url` and beats every `interval_s` seconds
  // for the lease it holds (none at first).
  HeartbeatThread(std::string storage_url, double interval_s);
  ~HeartbeatThread();  // stops and joins
  HeartbeatThread(const HeartbeatThread&) = delete;
  HeartbeatThread& operator=(const HeartbeatThread&) = delete;

  // Beats for `lease` from now on (replacing any previous lease) and clears lost().
  void hold(const db::Lease& lease);
  // Stops beating (the trial finished, failed or was released).
  void drop();
  // True once the store answered that the held lease is no longer this worker's:
  // the trial was reclaimed or reset, and the worker must abandon it.
  bool lost() const { return lost_.load(); }

 private:
  void run(const std::stop_token& stop);

  std::string storage_url_;
  double interval_s_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::optional<db::Lease> lease_;
  std::atomic<bool> lost_{false};
  std::jthread thread_;  // last: starts after the members it reads exist
};

// A heartbeat interval for a timeout: four beats per timeout, so that one slow or
// failed write does not get a live worker's trial reclaimed; clamped to [0.1 s, 15 s].
double heartbeat_interval(double heartbeat_timeout_s);

}  // namespace mose::study::runner

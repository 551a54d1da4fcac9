#include "study/runner/heartbeat.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "base/errors.h"
#include "base/log.h"
#include "db/storage.h"

namespace mose::study::runner {
namespace {

bool same_lease(const db::Lease& a, const db::Lease& b) {
  return a.trial_id == b.trial_id && a.worker == b.worker && a.attempt == b.attempt;
}

}  // namespace

HeartbeatThread::HeartbeatThread(std::string storage_url, double interval_s)
    : storage_url_(std::move(storage_url)),
      interval_s_(interval_s),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

HeartbeatThread::~HeartbeatThread() {
  thread_.request_stop();
  wake_.notify_all();
}

void HeartbeatThread::hold(const db::Lease& lease) {
  {
    std::lock_guard lock(mutex_);
    lease_ = lease;
    lost_ = false;
  }
  wake_.notify_all();
}

void HeartbeatThread::drop() {
  std::lock_guard lock(mutex_);
  lease_.reset();
}

// A failed write is logged and retried at the next beat rather than ending the
// thread: a busy or briefly unreachable store must not cost a live worker its trial.
// Four beats per timeout leave room for a few such failures. The store does not wait
// to reconnect itself (a beat that waited would delay stopping the thread); after a
// failure the next beat opens it afresh, so a restarted server is reached again.
void HeartbeatThread::run(const std::stop_token& stop) {
  std::unique_ptr<db::Storage> storage;
  const auto interval = std::chrono::duration<double>(interval_s_);
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, stop, interval, [] { return false; });
    if (stop.stop_requested() || !lease_ || lost_) continue;
    const db::Lease lease = *lease_;
    lock.unlock();
    bool lost_now = false;
    try {
      if (!storage) storage = db::open_storage(storage_url_, {.reconnect_timeout_s = 0});
      lost_now = storage->heartbeat(lease) == db::LeaseState::kLost;
    } catch (const std::exception& e) {
      log::warn("trial {}: heartbeat failed, retrying in {:.1f} s: {}", lease.trial_id, interval_s_, describe(e));
      storage.reset();
    }
    lock.lock();
    // The worker may have moved on to another trial meanwhile; only its current lease can be lost.
    if (lost_now && lease_ && same_lease(*lease_, lease)) {
      log::warn("trial {}: worker {} no longer holds it (reclaimed or reset); abandoning it", lease.trial_id,
                lease.worker);
      lost_ = true;
    }
  }
}

double heartbeat_interval(double heartbeat_timeout_s) { return std::clamp(heartbeat_timeout_s / 4.0, 0.1, 15.0); }

}  // namespace mose::study::runner

#include "db/reconnecting_storage.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/log.h"

namespace mose::db {
namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_now() { return std::chrono::duration<double>(SteadyClock::now().time_since_epoch()).count(); }

constexpr double kFirstWaitS = 0.5, kLongestWaitS = 15.0, kCancelPollS = 0.1;
// A heartbeat timeout no running trial reaches: about 32 years.
constexpr double kNoTakeoverS = 1e9;

}  // namespace

ReconnectingStorage::ReconnectingStorage(Open open, double timeout_s, std::function<bool()> cancel)
    : open_(std::move(open)), timeout_s_(timeout_s), cancel_(std::move(cancel)), store_(open_()) {
  description_ = store_->describe();
}

// Backoff between tries: 0.5 s, 1 s, 2 s, ... at most 15 s, never past the deadline;
// slept in short slices so that `cancel_` is seen at once.
bool ReconnectingStorage::reconnect(const ConnectionLost& lost, double deadline_s) {
  log::warn("{}: connection lost ({}); reconnecting for up to {:g} s", description_, lost.what(), timeout_s_);
  double wait_s = kFirstWaitS;
  for (int tries = 1;; ++tries) {
    const double wake_s = std::min(seconds_now() + wait_s, deadline_s);
    while (seconds_now() < wake_s) {
      if (cancel_ && cancel_()) return false;
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(kCancelPollS, wake_s - seconds_now())));
    }
    try {
      store_ = open_();
      reconnected_at_s_ = seconds_now();
      log::info("{}: reconnected (try {})", description_, tries);
      return true;
    } catch (const DbError& e) {
      if (seconds_now() >= deadline_s || (cancel_ && cancel_())) {
        log::warn("{}: still unreachable, giving up: {}", description_, e.what());
        return false;
      }
      log::debug("{}: reconnect try {} failed: {}", description_, tries, e.what());
    }
    wait_s = std::min(2 * wait_s, kLongestWaitS);
  }
}

template <typename Call>
auto ReconnectingStorage::with_reconnect(Call&& call) {
  bool retried = false;
  double deadline_s = 0;
  for (;;) {
    try {
      if (!store_) throw ConnectionLost(description_ + ": not connected");
      return call(*store_, retried);
    } catch (const ConnectionLost& lost) {
      store_.reset();
      if (!retried) deadline_s = seconds_now() + timeout_s_;
      retried = true;
      if (timeout_s_ <= 0 || !reconnect(lost, deadline_s)) throw;
    }
  }
}

LeaseState ReconnectingStorage::lease_write(const Lease& lease, TrialStatus leaves,
                                            const std::function<LeaseState(Storage&)>& write) {
  return with_reconnect([&](Storage& store, bool retried) {
    const LeaseState state = write(store);
    if (state == LeaseState::kHeld || !retried) return state;
    const std::optional<TrialRecord> trial = store.get_trial(lease.trial_id);
    const bool committed =
        trial && trial->status == leaves && trial->worker == lease.worker && trial->attempts == lease.attempt;
    return committed ? LeaseState::kHeld : state;
  });
}

// ---------------------------------------------------------------- studies and trials

StudyRecord ReconnectingStorage::create_or_get_study(const NewStudy& study) {
  return with_reconnect([&](Storage& store, bool) { return store.create_or_get_study(study); });
}

std::optional<StudyRecord> ReconnectingStorage::find_study(std::string_view name) {
  return with_reconnect([&](Storage& store, bool) { return store.find_study(name); });
}

std::vector<StudyRecord> ReconnectingStorage::list_studies() {
  return with_reconnect([&](Storage& store, bool) { return store.list_studies(); });
}

// Trials already added by a cut-off try come back with inserted = false, as any
// trial the study held before.
std::vector<AddedTrial> ReconnectingStorage::add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) {
  return with_reconnect([&](Storage& store, bool) { return store.add_trials(study_id, trials); });
}

// A rekey already committed by a cut-off try finds its old hash gone and is skipped.
std::vector<std::int64_t> ReconnectingStorage::rekey_trials(std::int64_t study_id,
                                                            const std::vector<TrialRekey>& rekeys) {
  return with_reconnect([&](Storage& store, bool) { return store.rekey_trials(study_id, rekeys); });
}

std::optional<TrialRecord> ReconnectingStorage::get_trial(std::int64_t trial_id) {
  return with_reconnect([&](Storage& store, bool) { return store.get_trial(trial_id); });
}

std::vector<TrialRecord> ReconnectingStorage::list_trials(const TrialFilter& filter) {
  return with_reconnect([&](Storage& store, bool) { return store.list_trials(filter); });
}

std::optional<TrialRecord> ReconnectingStorage::find_done_trial(std::string_view config_hash) {
  return with_reconnect([&](Storage& store, bool) { return store.find_done_trial(config_hash); });
}

StatusCounts ReconnectingStorage::count_trials(std::optional<std::int64_t> study_id) {
  return with_reconnect([&](Storage& store, bool) { return store.count_trials(study_id); });
}

bool ReconnectingStorage::reset_trial(std::int64_t trial_id) {
  return with_reconnect([&](Storage& store, bool) { return store.reset_trial(trial_id); });
}

// ---------------------------------------------------------------- worker protocol

std::optional<ClaimedTrial> ReconnectingStorage::claim_next(const ClaimRequest& request) {
  return with_reconnect([&](Storage& store, bool retried) -> std::optional<ClaimedTrial> {
    if (retried) {
      for (TrialRecord& trial : store.list_trials({.study_id = request.study_id, .status = TrialStatus::kRunning})) {
        if (trial.worker != request.worker || (request.kind && trial.kind != *request.kind)) continue;
        log::info("{}: trial {} was claimed by {} before the connection was lost; running it", description_, trial.id,
                  request.worker);
        Lease lease{trial.id, request.worker, trial.attempts};
        return ClaimedTrial{std::move(trial), std::move(lease)};
      }
    }
    if (seconds_now() - reconnected_at_s_ >= request.heartbeat_timeout_s) return store.claim_next(request);
    ClaimRequest no_takeover = request;  // the grace after an outage (see the header)
    no_takeover.heartbeat_timeout_s = kNoTakeoverS;
    return store.claim_next(no_takeover);
  });
}

LeaseState ReconnectingStorage::heartbeat(const Lease& lease) {
  return with_reconnect([&](Storage& store, bool) { return store.heartbeat(lease); });
}

LeaseState ReconnectingStorage::record_metrics(const Lease& lease, const std::vector<Metric>& metrics) {
  return with_reconnect([&](Storage& store, bool) { return store.record_metrics(lease, metrics); });
}

LeaseState ReconnectingStorage::append_curve(const Lease& lease, const std::vector<CurvePoint>& points) {
  return with_reconnect([&](Storage& store, bool) { return store.append_curve(lease, points); });
}

// Idempotent: repeating a delete whose reply was lost deletes nothing more.
LeaseState ReconnectingStorage::drop_curves_after(const Lease& lease, std::int64_t step) {
  return with_reconnect([&](Storage& store, bool) { return store.drop_curves_after(lease, step); });
}

LeaseState ReconnectingStorage::add_artifact(const Lease& lease, const Artifact& artifact) {
  return with_reconnect([&](Storage& store, bool) { return store.add_artifact(lease, artifact); });
}

LeaseState ReconnectingStorage::set_environment(const Lease& lease, const std::vector<EnvironmentEntry>& entries) {
  return with_reconnect([&](Storage& store, bool) { return store.set_environment(lease, entries); });
}

LeaseState ReconnectingStorage::finish(const Lease& lease, const std::vector<Metric>& metrics) {
  return lease_write(lease, TrialStatus::kDone, [&](Storage& store) { return store.finish(lease, metrics); });
}

LeaseState ReconnectingStorage::fail(const Lease& lease, std::string_view error) {
  return lease_write(lease, TrialStatus::kFailed, [&](Storage& store) { return store.fail(lease, error); });
}

LeaseState ReconnectingStorage::release(const Lease& lease) {
  return lease_write(lease, TrialStatus::kPending, [&](Storage& store) { return store.release(lease); });
}

// ---------------------------------------------------------------- results and import

std::vector<MetricRecord> ReconnectingStorage::get_metrics(const std::vector<std::int64_t>& trial_ids) {
  return with_reconnect([&](Storage& store, bool) { return store.get_metrics(trial_ids); });
}

std::vector<CurvePoint> ReconnectingStorage::get_curves(std::int64_t trial_id) {
  return with_reconnect([&](Storage& store, bool) { return store.get_curves(trial_id); });
}

std::vector<ArtifactRecord> ReconnectingStorage::get_artifacts(std::int64_t trial_id) {
  return with_reconnect([&](Storage& store, bool) { return store.get_artifacts(trial_id); });
}

std::vector<EnvironmentEntry> ReconnectingStorage::get_environment(std::int64_t trial_id) {
  return with_reconnect([&](Storage& store, bool) { return store.get_environment(trial_id); });
}

// Reconnected first if need be, but run once: a cut-off import may have committed.
ImportedStudy ReconnectingStorage::import_study(const StudySnapshot& snapshot) {
  with_reconnect([](Storage&, bool) { return 0; });
  try {
    return store_->import_study(snapshot);
  } catch (const ConnectionLost&) {
    store_.reset();
    throw;
  }
}

}  // namespace mose::db

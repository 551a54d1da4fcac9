// SqliteStorage, part 2 of 3: the worker protocol. A worker claims a trial and
// holds it through a Lease (trial, worker, attempt); every later write checks
// the lease inside the same BEGIN IMMEDIATE transaction that makes it, so once
// another worker has reclaimed the trial the old worker's writes change
// nothing and report LeaseState::kLost.
#include "db/sqlite/sqlite_storage.h"

#include "base/errors.h"
#include "base/log.h"
#include "db/claim_request.h"

namespace mose::db::sqlite {
namespace {

std::optional<std::string_view> kind_or_null(const std::optional<TrialKind>& kind) {
  if (!kind) return std::nullopt;
  return to_string(*kind);
}

}  // namespace

// ---------------------------------------------------------------- claims

std::optional<ClaimedTrial> SqliteStorage::claim_next(const ClaimRequest& request) {
  if (const auto problem = claim_request_problem(request)) reject(*problem);
  Transaction transaction(connection_, Transaction::Mode::kWrite);
  const double now = clock_();
  const double stale_before = now - request.heartbeat_timeout_s;
  abandon_exhausted(request, stale_before, now);
  fail_orphans(now);
  const std::optional<std::int64_t> id = pick_runnable(request, stale_before);
  if (!id) {
    transaction.commit();  // keeps the trials failed above
    return std::nullopt;
  }
  const TrialRecord before = *get_trial(*id);
  connection_
      .prepare(
          "UPDATE trials SET status = 'running', worker = ?2, started = ?3, heartbeat = ?3, finished = NULL, "
          "error = NULL, attempts = attempts + 1 WHERE id = ?1")
      .bind_all(*id, request.worker, now)
      .run();
  TrialRecord trial = *get_trial(*id);
  transaction.commit();
  if (before.status == TrialStatus::kRunning) {
    log::warn("{}: worker {} reclaimed trial {} (attempt {}): worker {} stopped heartbeating", connection_.path(),
              request.worker, trial.id, trial.attempts, before.worker);
  }
  Lease lease{trial.id, request.worker, trial.attempts};
  return ClaimedTrial{std::move(trial), std::move(lease)};
}

// A trial that has already taken max_attempts workers down with it (each
// stopped heartbeating) is failed rather than handed to yet another worker.
void SqliteStorage::abandon_exhausted(const ClaimRequest& request, double stale_before, double now) {
  Statement abandon = connection_.prepare(
      "UPDATE trials SET status = 'failed', finished = ?1, "
      "error = 'abandoned: worker ' || COALESCE(worker, '?') || ' stopped heartbeating on attempt ' || attempts "
      "|| ' of ' || ?3 "
      "WHERE status = 'running' AND heartbeat < ?2 AND attempts >= ?3 "
      "AND (?4 IS NULL OR study_id = ?4) AND (?5 IS NULL OR kind = ?5) RETURNING id, error");
  abandon.bind_all(now, stale_before, request.max_attempts, request.study_id, kind_or_null(request.kind));
  while (abandon.step()) {
    log::warn("{}: trial {} failed: {}", connection_.path(), abandon.column_int64(0), abandon.column_text(1));
  }
}

// A pending trial whose parent failed can never run; failing it (and, level
// by level, its own children) lets "pending + running == 0" mean the study is
// over. Resetting the parent and these trials runs them again.
void SqliteStorage::fail_orphans(double now) {
  Statement orphans = connection_.prepare(
      "UPDATE trials SET status = 'failed', finished = ?1, error = 'parent trial ' || parent_id || ' failed' "
      "WHERE status = 'pending' AND parent_id IN (SELECT id FROM trials WHERE status = 'failed') RETURNING id");
  for (bool changed = true; changed;) {
    changed = false;
    orphans.reset();
    orphans.bind_all(now);
    while (orphans.step()) changed = true;
  }
}

// Lowest id first, so trials run in the order the study added them. A child
// (an eval trial) is runnable only once its parent is done.
std::optional<std::int64_t> SqliteStorage::pick_runnable(const ClaimRequest& request, double stale_before) {
  Statement pick = connection_.prepare(
      "SELECT t.id FROM trials AS t LEFT JOIN trials AS p ON p.id = t.parent_id "
      "WHERE (t.status = 'pending' OR (t.status = 'running' AND t.heartbeat < ?1)) "
      "AND (t.parent_id IS NULL OR p.status = 'done') "
      "AND (?2 IS NULL OR t.study_id = ?2) AND (?3 IS NULL OR t.kind = ?3) "
      "ORDER BY t.id LIMIT 1");
  pick.bind_all(stale_before, request.study_id, kind_or_null(request.kind));
  if (!pick.step()) return std::nullopt;
  return pick.column_int64(0);
}

// ---------------------------------------------------------------- writes under a lease

template <typename Write>
LeaseState SqliteStorage::under_lease(const Lease& lease, Write&& write) {
  Transaction transaction(connection_, Transaction::Mode::kWrite);
  const double now = clock_();
  connection_
      .prepare(
          "UPDATE trials SET heartbeat = ?4 "
          "WHERE id = ?1 AND worker = ?2 AND attempts = ?3 AND status = 'running'")
      .bind_all(lease.trial_id, lease.worker, lease.attempt, now)
      .run();
  if (connection_.changes() == 0) return LeaseState::kLost;  // the guard rolls back: nothing changed
  write(now);
  transaction.commit();
  return LeaseState::kHeld;
}

void SqliteStorage::upsert_metrics(std::int64_t trial_id, const std::vector<Metric>& metrics) {
  Statement upsert = connection_.prepare(
      "INSERT INTO metrics (trial_id, name, value) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value");
  for (const Metric& metric : metrics) {
    if (metric.name.empty()) reject("trial " + std::to_string(trial_id) + ": a metric has an empty name");
    upsert.reset();
    upsert.bind_all(trial_id, metric.name, metric.value).run();
  }
}

LeaseState SqliteStorage::heartbeat(const Lease& lease) {
  return under_lease(lease, [](double) {});
}

LeaseState SqliteStorage::record_metrics(const Lease& lease, const std::vector<Metric>& metrics) {
  return under_lease(lease, [&](double) { upsert_metrics(lease.trial_id, metrics); });
}

LeaseState SqliteStorage::append_curve(const Lease& lease, const std::vector<CurvePoint>& points) {
  return under_lease(lease, [&](double) {
    Statement upsert = connection_.prepare(
        "INSERT INTO curves (trial_id, name, step, value) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (trial_id, name, step) DO UPDATE SET value = excluded.value");
    for (const CurvePoint& point : points) {
      if (point.name.empty()) reject("trial " + std::to_string(lease.trial_id) + ": a curve point has an empty name");
      upsert.reset();
      upsert.bind_all(lease.trial_id, point.name, point.step, point.value).run();
    }
  });
}

LeaseState SqliteStorage::add_artifact(const Lease& lease, const Artifact& artifact) {
  if (artifact.kind.empty() || artifact.path.empty() || artifact.bytes < 0) {
    reject("trial " + std::to_string(lease.trial_id) + ": artifact needs a kind, a path and bytes >= 0 (got kind '" +
           artifact.kind + "', path '" + artifact.path + "', bytes " + std::to_string(artifact.bytes) + ")");
  }
  return under_lease(lease, [&](double now) {
    connection_
        .prepare(
            "INSERT INTO artifacts (trial_id, kind, path, checksum, bytes, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT (trial_id, kind, path) DO UPDATE SET checksum = excluded.checksum, "
            "bytes = excluded.bytes, created = excluded.created")
        .bind_all(lease.trial_id, artifact.kind, artifact.path, artifact.checksum, artifact.bytes, now)
        .run();
  });
}

LeaseState SqliteStorage::set_environment(const Lease& lease, const std::vector<EnvironmentEntry>& entries) {
  return under_lease(lease, [&](double) {
    Statement upsert = connection_.prepare(
        "INSERT INTO environment (trial_id, key, value) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value");
    for (const EnvironmentEntry& entry : entries) {
      if (entry.key.empty()) reject("trial " + std::to_string(lease.trial_id) + ": an environment key is empty");
      upsert.reset();
      upsert.bind_all(lease.trial_id, entry.key, entry.value).run();
    }
  });
}

LeaseState SqliteStorage::finish(const Lease& lease, const std::vector<Metric>& metrics) {
  return under_lease(lease, [&](double now) {
    upsert_metrics(lease.trial_id, metrics);
    connection_.prepare("UPDATE trials SET status = 'done', finished = ?2 WHERE id = ?1")
        .bind_all(lease.trial_id, now)
        .run();
  });
}

LeaseState SqliteStorage::fail(const Lease& lease, std::string_view error) {
  return under_lease(lease, [&](double now) {
    connection_.prepare("UPDATE trials SET status = 'failed', finished = ?2, error = ?3 WHERE id = ?1")
        .bind_all(lease.trial_id, now, error)
        .run();
  });
}

// The next claim sees a pending trial, so it runs at once rather than after a
// heartbeat timeout; started and heartbeat describe an attempt, and there is none now.
LeaseState SqliteStorage::release(const Lease& lease) {
  return under_lease(lease, [&](double) {
    connection_.prepare("UPDATE trials SET status = 'pending', started = NULL, heartbeat = NULL WHERE id = ?1")
        .bind_all(lease.trial_id)
        .run();
  });
}

}  // namespace mose::db::sqlite

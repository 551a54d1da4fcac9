// SqlStorage, part 2 of 4: the worker protocol. A worker claims a trial and
// holds it through a Lease (trial, worker, attempt); every later write checks
// the lease inside the same write transaction that makes it, so once another
// worker has reclaimed the trial the old worker's writes change nothing and
// report LeaseState::kLost.
//
// The claim's SELECTs end with the dialect's lock_rows. In PostgreSQL that is
// FOR UPDATE SKIP LOCKED: a row another claimer holds is skipped, not waited
// for, so N workers claiming at once take N different trials and never
// deadlock; under READ COMMITTED a skipped-then-committed row is re-read by the
// next statement, where its new status no longer matches. In SQLite it is
// empty: BEGIN IMMEDIATE already keeps every other writer out.
#include "base/errors.h"
#include "base/log.h"
#include "db/claim_request.h"
#include "db/sql/record_rows.h"
#include "db/sql/sql_storage.h"

namespace mose::db::sql {

// ---------------------------------------------------------------- claims

std::optional<ClaimedTrial> SqlStorage::claim_next(const ClaimRequest& request) {
  if (const auto problem = claim_request_problem(request)) reject(*problem);
  Transaction transaction(*session_);
  const double now = clock_();
  const double stale_before = now - request.heartbeat_timeout_s;
  abandon_exhausted(request, stale_before, now);
  fail_orphans(now);
  const std::optional<Pick> pick = pick_runnable(request, stale_before);
  if (!pick) {
    transaction.commit();  // keeps the trials failed above
    return std::nullopt;
  }
  const Rows claimed = session_->run(
      "UPDATE trials SET status = 'running', worker = $2, started = $3, heartbeat = $3, finished = NULL, "
      "error = NULL, attempts = attempts + 1 WHERE id = $1 RETURNING " +
          std::string(kTrialColumns),
      Params::of(pick->id, request.worker, now));
  TrialRecord trial = read_trial(claimed, 0);
  transaction.commit();
  if (pick->reclaim) {
    log::warn("{}: worker {} reclaimed trial {} (attempt {}): worker {} stopped heartbeating", session_->name(),
              request.worker, trial.id, trial.attempts, pick->previous);
  }
  Lease lease{trial.id, request.worker, trial.attempts};
  return ClaimedTrial{std::move(trial), std::move(lease)};
}

// A trial that has already taken max_attempts workers down with it (each
// stopped heartbeating) is failed rather than handed to yet another worker.
void SqlStorage::abandon_exhausted(const ClaimRequest& request, double stale_before, double now) {
  const Rows abandoned = session_->run(
      "UPDATE trials SET status = 'failed', finished = $1, "
      "error = 'abandoned: worker ' || COALESCE(worker, '?') || ' stopped heartbeating on attempt ' || attempts "
      "|| ' of ' || $3 "
      "WHERE id IN (SELECT t.id FROM trials AS t WHERE t.status = 'running' AND t.heartbeat < $2 "
      "AND t.attempts >= $3 AND ($4 IS NULL OR t.study_id = $4) AND ($5 IS NULL OR t.kind = $5)" +
          std::string(dialect().lock_rows) + ") RETURNING id, error",
      Params::of(now, stale_before, request.max_attempts, request.study_id, name_or_null(request.kind)));
  for (int row = 0; row < abandoned.rows(); ++row) {
    log::warn("{}: trial {} failed: {}", session_->name(), abandoned.int64(row, 0), abandoned.text(row, 1));
  }
}

// A pending trial whose parent failed can never run; failing it (and, level
// by level, its own children) lets "pending + running == 0" mean the study is
// over. Resetting the parent and these trials runs them again.
void SqlStorage::fail_orphans(double now) {
  const std::string orphans =
      "UPDATE trials SET status = 'failed', finished = $1, error = 'parent trial ' || parent_id || ' failed' "
      "WHERE id IN (SELECT t.id FROM trials AS t JOIN trials AS p ON p.id = t.parent_id "
      "WHERE t.status = 'pending' AND p.status = 'failed'" +
      std::string(dialect().lock_rows) + ") RETURNING id";
  while (!session_->run(orphans, Params::of(now)).empty()) {
  }
}

// Lowest id first, so trials run in the order the study added them. A child
// (an eval trial) is runnable only once its parent is done.
std::optional<SqlStorage::Pick> SqlStorage::pick_runnable(const ClaimRequest& request, double stale_before) {
  const Rows picked = session_->run(
      "SELECT t.id, t.status, t.worker FROM trials AS t LEFT JOIN trials AS p ON p.id = t.parent_id "
      "WHERE (t.status = 'pending' OR (t.status = 'running' AND t.heartbeat < $1)) "
      "AND (t.parent_id IS NULL OR p.status = 'done') "
      "AND ($2 IS NULL OR t.study_id = $2) AND ($3 IS NULL OR t.kind = $3) "
      "ORDER BY t.id LIMIT 1" +
          std::string(dialect().lock_rows),
      Params::of(stale_before, request.study_id, name_or_null(request.kind)));
  if (picked.empty()) return std::nullopt;
  return Pick{picked.int64(0, 0), picked.text(0, 1) == "running", picked.text(0, 2)};
}

// ---------------------------------------------------------------- writes under a lease

template <typename Write>
LeaseState SqlStorage::under_lease(const Lease& lease, Write&& write) {
  Transaction transaction(*session_);
  const double now = clock_();
  const Rows held = session_->run(
      "UPDATE trials SET heartbeat = $4 WHERE id = $1 AND worker = $2 AND attempts = $3 AND status = 'running' "
      "RETURNING id",
      Params::of(lease.trial_id, lease.worker, lease.attempt, now));
  if (held.empty()) return LeaseState::kLost;  // the guard rolls back: nothing changed
  write(now);
  transaction.commit();
  return LeaseState::kHeld;
}

void SqlStorage::upsert_metrics(std::int64_t trial_id, const std::vector<Metric>& metrics) {
  for (const Metric& metric : metrics) {
    if (metric.name.empty()) reject("trial " + std::to_string(trial_id) + ": a metric has an empty name");
    session_->run(
        "INSERT INTO metrics (trial_id, name, value) VALUES ($1, $2, $3) "
        "ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value",
        Params::of(trial_id, metric.name, metric.value));
  }
}

LeaseState SqlStorage::heartbeat(const Lease& lease) {
  return under_lease(lease, [](double) {});
}

LeaseState SqlStorage::record_metrics(const Lease& lease, const std::vector<Metric>& metrics) {
  return under_lease(lease, [&](double) { upsert_metrics(lease.trial_id, metrics); });
}

LeaseState SqlStorage::append_curve(const Lease& lease, const std::vector<CurvePoint>& points) {
  return under_lease(lease, [&](double) {
    for (const CurvePoint& point : points) {
      if (point.name.empty()) reject("trial " + std::to_string(lease.trial_id) + ": a curve point has an empty name");
      session_->run(
          "INSERT INTO curves (trial_id, name, step, value) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (trial_id, name, step) DO UPDATE SET value = excluded.value",
          Params::of(lease.trial_id, point.name, point.step, point.value));
    }
  });
}

LeaseState SqlStorage::drop_curves_after(const Lease& lease, std::int64_t step) {
  return under_lease(lease, [&](double) {
    session_->run("DELETE FROM curves WHERE trial_id = $1 AND step > $2", Params::of(lease.trial_id, step));
  });
}

LeaseState SqlStorage::add_artifact(const Lease& lease, const Artifact& artifact) {
  if (artifact.kind.empty() || artifact.path.empty() || artifact.bytes < 0) {
    reject("trial " + std::to_string(lease.trial_id) + ": artifact needs a kind, a path and bytes >= 0 (got kind '" +
           artifact.kind + "', path '" + artifact.path + "', bytes " + std::to_string(artifact.bytes) + ")");
  }
  return under_lease(lease, [&](double now) {
    session_->run(
        "INSERT INTO artifacts (trial_id, kind, path, checksum, bytes, created) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (trial_id, kind, path) DO UPDATE SET checksum = excluded.checksum, "
        "bytes = excluded.bytes, created = excluded.created",
        Params::of(lease.trial_id, artifact.kind, artifact.path, artifact.checksum, artifact.bytes, now));
  });
}

LeaseState SqlStorage::set_environment(const Lease& lease, const std::vector<EnvironmentEntry>& entries) {
  return under_lease(lease, [&](double) {
    for (const EnvironmentEntry& entry : entries) {
      if (entry.key.empty()) reject("trial " + std::to_string(lease.trial_id) + ": an environment key is empty");
      session_->run(
          "INSERT INTO environment (trial_id, key, value) VALUES ($1, $2, $3) "
          "ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value",
          Params::of(lease.trial_id, entry.key, entry.value));
    }
  });
}

LeaseState SqlStorage::finish(const Lease& lease, const std::vector<Metric>& metrics) {
  return under_lease(lease, [&](double now) {
    upsert_metrics(lease.trial_id, metrics);
    session_->run("UPDATE trials SET status = 'done', finished = $2 WHERE id = $1", Params::of(lease.trial_id, now));
  });
}

LeaseState SqlStorage::fail(const Lease& lease, std::string_view error) {
  return under_lease(lease, [&](double now) {
    session_->run("UPDATE trials SET status = 'failed', finished = $2, error = $3 WHERE id = $1",
                  Params::of(lease.trial_id, now, error));
  });
}

// The next claim sees a pending trial, so it runs at once rather than after a
// heartbeat timeout; started and heartbeat describe an attempt, and there is none now.
LeaseState SqlStorage::release(const Lease& lease) {
  return under_lease(lease, [&](double) {
    session_->run("UPDATE trials SET status = 'pending', started = NULL, heartbeat = NULL WHERE id = $1",
                  Params::of(lease.trial_id));
  });
}

}  // namespace mose::db::sql

// PostgresStorage, part 2 of 4: the worker protocol. Claims lock the rows they
// touch with FOR UPDATE SKIP LOCKED: a row another claimer holds is skipped,
// not waited for, so N workers claiming at once take N different trials, and
// two claimers can never deadlock on each other's rows. Under READ COMMITTED a
// skipped-then-committed row is re-read by the next statement, where its new
// status ('running', fresh heartbeat) no longer matches. Every write under a
// lease re-checks (trial, worker, attempt, running) in the UPDATE that
// refreshes the heartbeat, inside the transaction that makes the write.
#include "base/errors.h"
#include "base/log.h"
#include "db/claim_request.h"
#include "db/postgres/postgres_storage.h"
#include "db/postgres/rows.h"

namespace mose::db::postgres {
namespace {

std::optional<std::string_view> kind_or_null(const std::optional<TrialKind>& kind) {
  if (!kind) return std::nullopt;
  return to_string(*kind);
}

}  // namespace

// ---------------------------------------------------------------- claims

std::optional<ClaimedTrial> PostgresStorage::claim_next(const ClaimRequest& request) {
  if (const auto problem = claim_request_problem(request)) reject(*problem);
  Transaction transaction(connection_);
  const double now = clock_();
  const double stale_before = now - request.heartbeat_timeout_s;
  abandon_exhausted(request, stale_before, now);
  fail_orphans(now);
  const std::optional<Pick> pick = pick_runnable(request, stale_before);
  if (!pick) {
    transaction.commit();  // keeps the trials failed above
    return std::nullopt;
  }
  const Result claimed = connection_.exec(
      "UPDATE trials SET status = 'running', worker = $2, started = $3::float8, heartbeat = $3::float8, "
      "finished = NULL, error = NULL, attempts = attempts + 1 WHERE id = $1::bigint RETURNING " +
          std::string(kTrialColumns),
      Params::of(pick->id, request.worker, now));
  TrialRecord trial = read_trial(claimed, 0);
  transaction.commit();
  if (pick->reclaim) {
    log::warn("{}: worker {} reclaimed trial {} (attempt {}): worker {} stopped heartbeating", describe(),
              request.worker, trial.id, trial.attempts, pick->previous);
  }
  Lease lease{trial.id, request.worker, trial.attempts};
  return ClaimedTrial{std::move(trial), std::move(lease)};
}

// A trial that has already taken max_attempts workers down with it is failed
// rather than handed to yet another worker.
void PostgresStorage::abandon_exhausted(const ClaimRequest& request, double stale_before, double now) {
  const Result abandoned = connection_.exec(
      "UPDATE trials SET status = 'failed', finished = $1::float8, "
      "error = 'abandoned: worker ' || COALESCE(worker, '?') || ' stopped heartbeating on attempt ' || attempts "
      "|| ' of ' || $3::bigint "
      "WHERE id IN (SELECT id FROM trials WHERE status = 'running' AND heartbeat < $2::float8 "
      "AND attempts >= $3::bigint AND ($4::bigint IS NULL OR study_id = $4::bigint) "
      "AND ($5::text IS NULL OR kind = $5::text) FOR UPDATE SKIP LOCKED) RETURNING id, error",
      Params::of(now, stale_before, request.max_attempts, request.study_id, kind_or_null(request.kind)));
  for (int row = 0; row < abandoned.rows(); ++row) {
    log::warn("{}: trial {} failed: {}", describe(), abandoned.int64(row, 0), abandoned.text(row, 1));
  }
}

// A pending trial whose parent failed can never run; failing it (and, level
// by level, its own children) lets "pending + running == 0" mean the study is over.
void PostgresStorage::fail_orphans(double now) {
  for (;;) {
    const Result orphans = connection_.exec(
        "UPDATE trials SET status = 'failed', finished = $1::float8, error = 'parent trial ' || parent_id || ' failed' "
        "WHERE id IN (SELECT c.id FROM trials AS c JOIN trials AS p ON p.id = c.parent_id "
        "WHERE c.status = 'pending' AND p.status = 'failed' FOR UPDATE OF c SKIP LOCKED) RETURNING id",
        Params::of(now));
    if (orphans.rows() == 0) return;
  }
}

// Lowest id first; a child is runnable only once its parent is done.
std::optional<PostgresStorage::Pick> PostgresStorage::pick_runnable(const ClaimRequest& request, double stale_before) {
  const Result picked = connection_.exec(
      "SELECT t.id, t.status, t.worker FROM trials AS t LEFT JOIN trials AS p ON p.id = t.parent_id "
      "WHERE (t.status = 'pending' OR (t.status = 'running' AND t.heartbeat < $1::float8)) "
      "AND (t.parent_id IS NULL OR p.status = 'done') "
      "AND ($2::bigint IS NULL OR t.study_id = $2::bigint) AND ($3::text IS NULL OR t.kind = $3::text) "
      "ORDER BY t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED",
      Params::of(stale_before, request.study_id, kind_or_null(request.kind)));
  if (picked.rows() == 0) return std::nullopt;
  return Pick{picked.int64(0, 0), picked.text(0, 1) == "running", picked.text(0, 2)};
}

// ---------------------------------------------------------------- writes under a lease

template <typename Write>
LeaseState PostgresStorage::under_lease(const Lease& lease, Write&& write) {
  Transaction transaction(connection_);
  const double now = clock_();
  const Result held = connection_.exec(
      "UPDATE trials SET heartbeat = $4::float8 "
      "WHERE id = $1::bigint AND worker = $2 AND attempts = $3::bigint AND status = 'running'",
      Params::of(lease.trial_id, lease.worker, lease.attempt, now));
  if (held.affected() == 0) return LeaseState::kLost;  // the guard rolls back: nothing changed
  write(now);
  transaction.commit();
  return LeaseState::kHeld;
}

void PostgresStorage::upsert_metrics(std::int64_t trial_id, const std::vector<Metric>& metrics) {
  for (const Metric& metric : metrics) {
    if (metric.name.empty()) reject("trial " + std::to_string(trial_id) + ": a metric has an empty name");
    connection_.exec(
        "INSERT INTO metrics (trial_id, name, value) VALUES ($1::bigint, $2, $3::float8) "
        "ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value",
        Params::of(trial_id, metric.name, metric.value));
  }
}

LeaseState PostgresStorage::heartbeat(const Lease& lease) {
  return under_lease(lease, [](double) {});
}

LeaseState PostgresStorage::record_metrics(const Lease& lease, const std::vector<Metric>& metrics) {
  return under_lease(lease, [&](double) { upsert_metrics(lease.trial_id, metrics); });
}

LeaseState PostgresStorage::append_curve(const Lease& lease, const std::vector<CurvePoint>& points) {
  return under_lease(lease, [&](double) {
    for (const CurvePoint& point : points) {
      if (point.name.empty()) reject("trial " + std::to_string(lease.trial_id) + ": a curve point has an empty name");
      connection_.exec(
          "INSERT INTO curves (trial_id, name, step, value) VALUES ($1::bigint, $2, $3::bigint, $4::float8) "
          "ON CONFLICT (trial_id, name, step) DO UPDATE SET value = excluded.value",
          Params::of(lease.trial_id, point.name, point.step, point.value));
    }
  });
}

LeaseState PostgresStorage::add_artifact(const Lease& lease, const Artifact& artifact) {
  if (artifact.kind.empty() || artifact.path.empty() || artifact.bytes < 0) {
    reject("trial " + std::to_string(lease.trial_id) + ": artifact needs a kind, a path and bytes >= 0 (got kind '" +
           artifact.kind + "', path '" + artifact.path + "', bytes " + std::to_string(artifact.bytes) + ")");
  }
  return under_lease(lease, [&](double now) {
    connection_.exec(
        "INSERT INTO artifacts (trial_id, kind, path, checksum, bytes, created) "
        "VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6::float8) "
        "ON CONFLICT (trial_id, kind, path) DO UPDATE SET checksum = excluded.checksum, "
        "bytes = excluded.bytes, created = excluded.created",
        Params::of(lease.trial_id, artifact.kind, artifact.path, artifact.checksum, artifact.bytes, now));
  });
}

LeaseState PostgresStorage::set_environment(const Lease& lease, const std::vector<EnvironmentEntry>& entries) {
  return under_lease(lease, [&](double) {
    for (const EnvironmentEntry& entry : entries) {
      if (entry.key.empty()) reject("trial " + std::to_string(lease.trial_id) + ": an environment key is empty");
      connection_.exec(
          "INSERT INTO environment (trial_id, key, value) VALUES ($1::bigint, $2, $3) "
          "ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value",
          Params::of(lease.trial_id, entry.key, entry.value));
    }
  });
}

LeaseState PostgresStorage::finish(const Lease& lease, const std::vector<Metric>& metrics) {
  return under_lease(lease, [&](double now) {
    upsert_metrics(lease.trial_id, metrics);
    connection_.exec("UPDATE trials SET status = 'done', finished = $2::float8 WHERE id = $1::bigint",
                     Params::of(lease.trial_id, now));
  });
}

LeaseState PostgresStorage::fail(const Lease& lease, std::string_view error) {
  return under_lease(lease, [&](double now) {
    connection_.exec("UPDATE trials SET status = 'failed', finished = $2::float8, error = $3 WHERE id = $1::bigint",
                     Params::of(lease.trial_id, now, error));
  });
}

// As SQLite's: pending again at once, with no attempt in progress.
LeaseState PostgresStorage::release(const Lease& lease) {
  return under_lease(lease, [&](double) {
    connection_.exec("UPDATE trials SET status = 'pending', started = NULL, heartbeat = NULL WHERE id = $1::bigint",
                     Params::of(lease.trial_id));
  });
}

}  // namespace mose::db::postgres

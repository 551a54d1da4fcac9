// The storage interface for studies: studies, their trials, the worker
// protocol that hands trials out (claim / heartbeat / finish), and results
// (metrics, curves, artifacts, environment). Study logic talks only to this
// class, so a backend (SQLite, PostgreSQL) slots in behind open_storage()
// without touching it.
//
// Contract every backend keeps:
// - Several processes may open the same store and call claim_next() at once;
//   each pending trial is handed to exactly one of them.
// - Identical configs are never run twice: (study, config hash) is unique.
// - Writes on behalf of a worker take its Lease and return LeaseState::kLost,
//   without changing anything, once the worker no longer holds the trial.
// - Failures to reach or use the store throw DbError naming the store;
//   expected outcomes (not found, lease lost) are return values.
// One Storage object serves one thread; give each thread its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.h"
#include "db/clock.h"
#include "db/records.h"

namespace mose::db {

// The connection to a store broke during a call (a server restart, a network fault):
// the call's transaction may or may not have committed. Open stores reconnect and
// retry on their own (StorageOptions::reconnect_timeout_s); this reaches callers only
// once that gave up.
class ConnectionLost : public DbError {
 public:
  using DbError::DbError;
};

struct StorageOptions {
  Clock clock = unix_now;  // source of every stored timestamp and of "now" in claims
  // How long a write waits for another process's transaction (SQLite's busy
  // timeout; PostgreSQL's lock_timeout, and its connect timeout).
  double busy_timeout_s = 10.0;
  // For readers (status, list, pareto, show, export, the GUI): the store must exist
  // and be a mose store at the current schema; nothing creates, migrates or writes
  // it (writes throw DbError), so reading never changes a file, and a SQLite store
  // on a read-only filesystem can still be read.
  bool read_only = false;
  // A PostgreSQL store whose connection breaks reopens it, waiting with exponential
  // backoff (0.5 s doubling to 15 s between tries) up to this long per call, and makes
  // the call again without running any trial twice (db/reconnecting_storage.h). 0 turns
  // this off: the call throws ConnectionLost.
  double reconnect_timeout_s = 300.0;
  // Polled while waiting to reconnect; true gives up at once (a worker told to stop).
  std::function<bool()> cancel_reconnect{};
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The store in words for messages, e.g. "sqlite:/runs/mose.db".
  virtual std::string describe() const = 0;

  // ---- studies
  // Returns the study with this name, creating it from `study` if absent. An
  // existing study is returned unchanged (its recipe is not overwritten).
  virtual StudyRecord create_or_get_study(const NewStudy& study) = 0;
  virtual std::optional<StudyRecord> find_study(std::string_view name) = 0;
  virtual std::vector<StudyRecord> list_studies() = 0;

  // ---- trials
  // Adds trials in one transaction, in order. A trial whose config hash the
  // study already holds is not added: its existing id comes back with
  // inserted = false. The same hash with a different config text is a DbError
  // (a hash collision or a non-canonical config).
  virtual std::vector<AddedTrial> add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) = 0;
  AddedTrial add_trial(std::int64_t study_id, const NewTrial& trial);
  // Gives the study's trials new identities in one transaction (for a change of what a
  // hash covers; study/runner/identity_migration.h). A rekey whose old hash the study
  // does not hold, or whose new hash it already holds, changes nothing: so running it
  // again, or after a cut-off try, is harmless. Returns the ids of the trials re-keyed.
  virtual std::vector<std::int64_t> rekey_trials(std::int64_t study_id, const std::vector<TrialRekey>& rekeys) = 0;

  virtual std::optional<TrialRecord> get_trial(std::int64_t trial_id) = 0;
  // Trials matching every set field of `filter`, by id.
  virtual std::vector<TrialRecord> list_trials(const TrialFilter& filter) = 0;
  // A done trial with this config hash in any study (lowest id), so a training
  // run can be reused instead of repeated.
  virtual std::optional<TrialRecord> find_done_trial(std::string_view config_hash) = 0;
  // Trials per status, over one study or (nullopt) the whole store.
  virtual StatusCounts count_trials(std::optional<std::int64_t> study_id) = 0;
  // Sends a trial back to pending so it runs again, dropping its metrics so the
  // re-run's results never mix with the old ones. Curves stay: a training trial
  // resumes from its checkpoint, whose history they are, and each attempt drops
  // the points past the step it resumes from (drop_curves_after). A running
  // trial's worker loses its lease. Returns false if there is no such trial.
  virtual bool reset_trial(std::int64_t trial_id) = 0;

  // ---- worker protocol
  // Atomically hands the next runnable trial (lowest id first) to
  // request.worker: a pending trial, or a running one whose heartbeat is older
  // than request.heartbeat_timeout_s (its worker died; attempt + 1). A trial
  // with a parent is runnable only once the parent is done; a pending trial
  // whose parent failed is marked failed. Abandoned trials that used up
  // request.max_attempts are marked failed instead of being handed out.
  // Returns nullopt when nothing is runnable right now.
  virtual std::optional<ClaimedTrial> claim_next(const ClaimRequest& request) = 0;
  virtual LeaseState heartbeat(const Lease& lease) = 0;
  // Upserts metrics (one value per name per trial); also refreshes the heartbeat.
  virtual LeaseState record_metrics(const Lease& lease, const std::vector<Metric>& metrics) = 0;
  // Appends a batch of curve points; a step written again (a resumed attempt)
  // replaces the old value. Also refreshes the heartbeat.
  virtual LeaseState append_curve(const Lease& lease, const std::vector<CurvePoint>& points) = 0;
  // Deletes the trial's curve points past `step`: an attempt that resumes from a
  // checkpoint at `step` (0: from scratch) drops what earlier attempts logged after
  // it, so the curves are the history of the model being trained. Also refreshes
  // the heartbeat.
  virtual LeaseState drop_curves_after(const Lease& lease, std::int64_t step) = 0;
  // Records a file the trial produced; the same (kind, path) again replaces it.
  virtual LeaseState add_artifact(const Lease& lease, const Artifact& artifact) = 0;
  virtual LeaseState set_environment(const Lease& lease, const std::vector<EnvironmentEntry>& entries) = 0;
  // Marks the trial done with its final metrics, in one transaction.
  virtual LeaseState finish(const Lease& lease, const std::vector<Metric>& metrics) = 0;
  virtual LeaseState fail(const Lease& lease, std::string_view error) = 0;
  // Hands a running trial back (running -> pending) when its worker stops on
  // request (Ctrl-C) rather than by failing: the trial runs again later, from
  // its checkpoint if it wrote one. Keeps attempts (they only grow, so this
  // lease can never match the trial again), metrics and curves.
  virtual LeaseState release(const Lease& lease) = 0;

  // ---- results
  // Metrics of many trials in one query, ordered by trial id then name.
  virtual std::vector<MetricRecord> get_metrics(const std::vector<std::int64_t>& trial_ids) = 0;
  // Every curve point of a trial, ordered by curve name then step.
  virtual std::vector<CurvePoint> get_curves(std::int64_t trial_id) = 0;
  virtual std::vector<ArtifactRecord> get_artifacts(std::int64_t trial_id) = 0;
  virtual std::vector<EnvironmentEntry> get_environment(std::int64_t trial_id) = 0;

  // ---- copying between stores
  // Writes a whole study, as another store holds it, in one transaction:
  // statuses, attempts, timestamps, workers, errors and results unchanged. Ids
  // are kept when free (see ImportedStudy). Throws DbError, changing nothing,
  // when this store already has a study of that name.
  virtual ImportedStudy import_study(const StudySnapshot& snapshot) = 0;
};

// Opens (creating and migrating if needed, unless options.read_only) the store named by `url`:
//   /path/to/file.db, relative/file.db   SQLite file
//   sqlite:///abs/path.db                SQLite file, absolute path
//   sqlite:relative/path.db              SQLite file, relative to the working directory
//   postgresql://user[:password]@host[:port]/dbname[?param=value...]
//   postgres://...                       PostgreSQL server (libpq's URI syntax)
// Anything else throws DbError listing these forms.
std::unique_ptr<Storage> open_storage(const std::string& url, const StorageOptions& options = {});

}  // namespace mose::db

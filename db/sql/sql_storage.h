// db::Storage for any SQL store, written once for both dialects: SQLite (one
// file shared by worker processes) and PostgreSQL (one database shared by
// workers on many machines). The statements are shared too; what a dialect
// says differently comes from its Session (db/sql/session.h): how it connects,
// binds and locks, and a few SQL fragments.
//
// Every write is one short write transaction. In SQLite that is BEGIN
// IMMEDIATE, which serialises writers and so makes claim_next atomic across
// processes. In PostgreSQL (READ COMMITTED) claim_next locks the rows it picks
// with FOR UPDATE SKIP LOCKED, so concurrent claimers never wait on each other
// or pick the same trial; in both, writes under a lease re-check the lease in
// the UPDATE that refreshes the heartbeat, inside the transaction that makes
// the write. The methods are spread over files by job:
//   sql_storage.cpp  opening, studies, adding and querying trials
//   sql_leases.cpp   the worker protocol (claim, heartbeat, finish, ...)
//   sql_results.cpp  reading metrics, curves, artifacts, environment
//   sql_import.cpp   writing a whole study copied from another store
#pragma once

#include <memory>

#include "db/sql/session.h"
#include "db/storage.h"

namespace mose::db::sql {

class SqlStorage final : public Storage {
 public:
  // Takes the open session and migrates its store to the latest schema
  // (db/sql/schema.h), or with `read_only` only checks that it is at the latest
  // schema (the session itself refuses writes then). Throws DbError naming the
  // store if it cannot be used.
  SqlStorage(std::unique_ptr<Session> session, Clock clock, bool read_only = false);

  std::string describe() const override;

  StudyRecord create_or_get_study(const NewStudy& study) override;
  std::optional<StudyRecord> find_study(std::string_view name) override;
  std::vector<StudyRecord> list_studies() override;

  std::vector<AddedTrial> add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) override;
  std::vector<std::int64_t> rekey_trials(std::int64_t study_id, const std::vector<TrialRekey>& rekeys) override;
  std::optional<TrialRecord> get_trial(std::int64_t trial_id) override;
  std::vector<TrialRecord> list_trials(const TrialFilter& filter) override;
  std::optional<TrialRecord> find_done_trial(std::string_view config_hash) override;
  StatusCounts count_trials(std::optional<std::int64_t> study_id) override;
  bool reset_trial(std::int64_t trial_id) override;

  std::optional<ClaimedTrial> claim_next(const ClaimRequest& request) override;
  LeaseState heartbeat(const Lease& lease) override;
  LeaseState record_metrics(const Lease& lease, const std::vector<Metric>& metrics) override;
  LeaseState append_curve(const Lease& lease, const std::vector<CurvePoint>& points) override;
  LeaseState drop_curves_after(const Lease& lease, std::int64_t step) override;
  LeaseState add_artifact(const Lease& lease, const Artifact& artifact) override;
  LeaseState set_environment(const Lease& lease, const std::vector<EnvironmentEntry>& entries) override;
  LeaseState finish(const Lease& lease, const std::vector<Metric>& metrics) override;
  LeaseState fail(const Lease& lease, std::string_view error) override;
  LeaseState release(const Lease& lease) override;

  std::vector<MetricRecord> get_metrics(const std::vector<std::int64_t>& trial_ids) override;
  std::vector<CurvePoint> get_curves(std::int64_t trial_id) override;
  std::vector<ArtifactRecord> get_artifacts(std::int64_t trial_id) override;
  std::vector<EnvironmentEntry> get_environment(std::int64_t trial_id) override;

  ImportedStudy import_study(const StudySnapshot& snapshot) override;

 private:
  // A trial the study already holds under `trial`'s config hash, or nullopt;
  // DbError if that hash stands for a different config there.
  std::optional<AddedTrial> find_added(std::int64_t study_id, const NewTrial& trial);
  AddedTrial insert_trial_checked(std::int64_t study_id, const NewTrial& trial, double now);

  struct Pick {
    std::int64_t id = 0;
    bool reclaim = false;    // it was running under a worker that stopped heartbeating
    std::string previous{};  // that worker
  };
  void abandon_exhausted(const ClaimRequest& request, double stale_before, double now);
  void fail_orphans(double now);
  std::optional<Pick> pick_runnable(const ClaimRequest& request, double stale_before);
  // Runs `write(now)` in one write transaction if `lease` still holds its
  // trial (refreshing the heartbeat); otherwise changes nothing.
  template <typename Write>
  LeaseState under_lease(const Lease& lease, Write&& write);
  void upsert_metrics(std::int64_t trial_id, const std::vector<Metric>& metrics);

  bool ids_free(const StudySnapshot& snapshot);
  std::int64_t import_trial(std::int64_t study_id, const TrialSnapshot& snapshot, std::optional<std::int64_t> parent_id,
                            bool keep_id);
  void import_results(std::int64_t trial_id, const TrialSnapshot& snapshot);

  // "<store>: <what>" for messages about arguments.
  [[noreturn]] void reject(const std::string& what) const;
  const Dialect& dialect() const { return session_->dialect(); }

  std::unique_ptr<Session> session_;
  Clock clock_;
};

}  // namespace mose::db::sql

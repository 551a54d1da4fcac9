// The PostgreSQL backend of db::Storage: one database shared by workers on any
// number of machines. Each write is one short READ COMMITTED transaction.
// claim_next locks the trial it picks with SELECT ... FOR UPDATE SKIP LOCKED,
// so concurrent claimers never wait on each other and never pick the same
// trial; writes under a lease re-check the lease in the UPDATE that refreshes
// the heartbeat. The methods are spread over files by job, as in SQLite's:
//   postgres_storage.cpp  connecting, studies, adding and querying trials
//   postgres_leases.cpp   the worker protocol (claim, heartbeat, finish, ...)
//   postgres_results.cpp  reading metrics, curves, artifacts, environment
//   postgres_import.cpp   writing a whole study copied from another store
#pragma once

#include "db/postgres/connection.h"
#include "db/storage.h"

namespace mose::db::postgres {

class PostgresStorage final : public Storage {
 public:
  // Connects to `url` and migrates the database to the latest schema. Throws
  // DbError naming the server (never the password) if it cannot be used.
  PostgresStorage(const std::string& url, const StorageOptions& options);

  std::string describe() const override;

  StudyRecord create_or_get_study(const NewStudy& study) override;
  std::optional<StudyRecord> find_study(std::string_view name) override;
  std::vector<StudyRecord> list_studies() override;

  std::vector<AddedTrial> add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) override;
  std::optional<TrialRecord> get_trial(std::int64_t trial_id) override;
  std::vector<TrialRecord> list_trials(const TrialFilter& filter) override;
  std::optional<TrialRecord> find_done_trial(std::string_view config_hash) override;
  StatusCounts count_trials(std::optional<std::int64_t> study_id) override;
  bool reset_trial(std::int64_t trial_id) override;

  std::optional<ClaimedTrial> claim_next(const ClaimRequest& request) override;
  LeaseState heartbeat(const Lease& lease) override;
  LeaseState record_metrics(const Lease& lease, const std::vector<Metric>& metrics) override;
  LeaseState append_curve(const Lease& lease, const std::vector<CurvePoint>& points) override;
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
  void insert_trial_checked(std::int64_t study_id, const NewTrial& trial, double now, std::vector<AddedTrial>& added);
  void abandon_exhausted(const ClaimRequest& request, double stale_before, double now);
  void fail_orphans(double now);
  struct Pick {
    std::int64_t id = 0;
    bool reclaim = false;    // it was running under a worker that stopped heartbeating
    std::string previous{};  // that worker
  };
  std::optional<Pick> pick_runnable(const ClaimRequest& request, double stale_before);
  template <typename Write>
  LeaseState under_lease(const Lease& lease, Write&& write);
  void upsert_metrics(std::int64_t trial_id, const std::vector<Metric>& metrics);
  bool ids_free(const StudySnapshot& snapshot);
  std::int64_t import_trial(std::int64_t study_id, const TrialSnapshot& snapshot, std::optional<std::int64_t> parent_id,
                            bool keep_id);
  [[noreturn]] void reject(const std::string& what) const;

  Connection connection_;
  Clock clock_;
};

}  // namespace mose::db::postgres

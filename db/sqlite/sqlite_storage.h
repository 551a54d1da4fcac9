// The SQLite backend of db::Storage: one file shared by any number of worker
// processes. The connection runs in WAL mode (readers never block the one
// writer), with foreign keys on and a busy timeout; every write is one short
// BEGIN IMMEDIATE transaction, which is what makes claim_next atomic across
// processes. The methods are spread over three files by job:
//   sqlite_storage.cpp  opening, studies, adding and querying trials
//   sqlite_leases.cpp   the worker protocol (claim, heartbeat, finish, ...)
//   sqlite_results.cpp  reading metrics, curves, artifacts, environment
//   sqlite_import.cpp   writing a whole study copied from another store
#pragma once

#include "db/sqlite/connection.h"
#include "db/storage.h"

namespace mose::db::sqlite {

class SqliteStorage final : public Storage {
 public:
  // Opens or creates the database file at `path` and migrates it to the
  // latest schema. Throws DbError naming the path if it cannot be used.
  SqliteStorage(const std::string& path, const StorageOptions& options);

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
  void configure();
  void insert_trial_checked(std::int64_t study_id, const NewTrial& trial, double now, std::vector<AddedTrial>& added);
  void abandon_exhausted(const ClaimRequest& request, double stale_before, double now);
  void fail_orphans(double now);
  std::optional<std::int64_t> pick_runnable(const ClaimRequest& request, double stale_before);
  // Runs `write(now)` in one write transaction if `lease` still holds its
  // trial (refreshing the heartbeat); otherwise changes nothing.
  template <typename Write>
  LeaseState under_lease(const Lease& lease, Write&& write);
  void upsert_metrics(std::int64_t trial_id, const std::vector<Metric>& metrics);
  bool ids_free(const StudySnapshot& snapshot);
  std::int64_t import_trial(std::int64_t study_id, const TrialSnapshot& snapshot,
                            std::optional<std::int64_t> parent_id, bool keep_id);
  // "<path>: <what>" for messages about arguments.
  [[noreturn]] void reject(const std::string& what) const;

  Connection connection_;
  Clock clock_;
};

}  // namespace mose::db::sqlite

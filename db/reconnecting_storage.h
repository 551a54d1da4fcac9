// A Storage that outlives its connection (private to db/; open_storage wraps every
// PostgreSQL store in one, see StorageOptions::reconnect_timeout_s). When a call
// fails with ConnectionLost (the server restarted, the network dropped), it reopens
// the store, waiting with exponential backoff (0.5 s, doubling, at most 15 s between
// tries) for up to the timeout, and makes the call again; then it throws the last
// ConnectionLost.
//
// Calling again is safe because every call is one transaction, which either committed
// or did not. Where a call that committed just before its reply was lost would be
// misread when repeated, the retry looks first:
//  - claim_next: a trial running under the requesting worker is the claim that
//    committed (a worker holds one trial at a time), so it is returned instead of a
//    second trial being claimed and left to time out;
//  - finish, fail, release: kLost on the retry, with the trial in the state the call
//    leaves it in (done, failed, pending) under the same worker and attempt, means the
//    first call committed: kHeld.
// import_study is never repeated: a second import would find the first one's study.
//
// An outage stops every worker's heartbeat, so when it ends every running trial looks
// abandoned. For one heartbeat timeout after it reconnected, claim_next therefore takes
// over no running trial (it still hands out pending ones): their workers get that long
// to beat again, instead of losing their trial and an attempt to whichever worker came
// back first. A trial whose worker really died is taken over one timeout later.
// A call that finds the store disconnected (an earlier call gave up) reconnects first.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/storage.h"

namespace mose::db {

class ReconnectingStorage final : public Storage {
 public:
  using Open = std::function<std::unique_ptr<Storage>()>;

  // Opens the store once now (a failure here is thrown at once: a wrong URL is no
  // outage). `cancel`, polled while waiting, gives up at once when it answers true.
  ReconnectingStorage(Open open, double timeout_s, std::function<bool()> cancel = {});

  std::string describe() const override { return description_; }

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
  // Runs call(store), reconnecting and repeating it after ConnectionLost; `retried`
  // tells the call whether an earlier try of it was cut off.
  template <typename Call>
  auto with_reconnect(Call&& call);
  // Waits and reopens until it succeeds (true) or the deadline or `cancel_` ends the
  // wait (false).
  bool reconnect(const ConnectionLost& lost, double deadline_s);
  // A lease write repeated after a cut-off try: kLost from the repeat means kHeld when
  // the trial is already as the write leaves it.
  LeaseState lease_write(const Lease& lease, TrialStatus leaves, const std::function<LeaseState(Storage&)>& write);

  Open open_;
  double timeout_s_;
  std::function<bool()> cancel_;
  std::unique_ptr<Storage> store_;    // null between a lost connection and the reconnect
  double reconnected_at_s_ = -1e300;  // steady-clock seconds of the last reconnect
  std::string description_;
};

}  // namespace mose::db

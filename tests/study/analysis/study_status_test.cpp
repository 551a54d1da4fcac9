// `mose-study status` on a hand-made study: running trials show the age of their last
// heartbeat, and a trial whose worker stopped heartbeating longer than the timeout
// ago is flagged as such and leaves the ETA's parallelism.
#include "study/analysis/study_status.h"

#include <catch2/catch.hpp>

namespace mose::study::analysis {
namespace {

constexpr double kNow = 1'700'000'000.0;

TrialRow running_row(std::int64_t id, double started_ago, std::optional<double> heartbeat_ago) {
  TrialRow row;
  row.trial.id = id;
  row.trial.kind = db::TrialKind::kTrain;
  row.trial.status = db::TrialStatus::kRunning;
  row.trial.worker = "node" + std::to_string(id) + ":4242:w0";
  row.trial.attempts = 1;
  row.trial.started = kNow - started_ago;
  if (heartbeat_ago) row.trial.heartbeat = kNow - *heartbeat_ago;
  row.label = "seed=" + std::to_string(id);
  return row;
}

TrialRow done_row(std::int64_t id, double seconds) {
  TrialRow row;
  row.trial.id = id;
  row.trial.kind = db::TrialKind::kTrain;
  row.trial.status = db::TrialStatus::kDone;
  row.trial.started = kNow - 1000;
  row.trial.finished = kNow - 1000 + seconds;
  row.label = "seed=" + std::to_string(id);
  return row;
}

}  // namespace

TEST_CASE("status shows each running trial's heartbeat age and flags the stale ones", "[study][analysis][status]") {
  StudyData data;
  data.study.name = "beats";
  data.trials = {done_row(1, 100), running_row(2, 30, 3), running_row(3, 400, 150), running_row(4, 200, std::nullopt)};
  const StudyStatus status = study_status(data, kNow, 60);
  REQUIRE(status.running.size() == 3);
  CHECK_FALSE(status.running[0].stale);
  CHECK(status.running[0].heartbeat_age_s == Approx(3));
  CHECK(status.running[1].stale);
  CHECK(status.running[1].heartbeat_age_s == Approx(150));
  CHECK(status.running[2].stale);  // never heartbeat, started 200 s ago
  CHECK_FALSE(status.running[2].heartbeat_age_s);
  // 70 s left of trial 2, 100 s for each of the stale ones (they start over): 270 s on the one live worker.
  REQUIRE(status.eta_s);
  CHECK(*status.eta_s == Approx(270));

  const std::string text = format_status(data, status, kNow);
  CHECK_THAT(text, Catch::Contains("running: trial 2 (seed=2) on node2:4242:w0, attempt 1, for 30s, heartbeat 3s ago"));
  CHECK_THAT(text, Catch::Contains("running (no heartbeat for 2m30s): trial 3 (seed=3) on node3:4242:w0, attempt 1, "
                                   "for 6m40s; its worker is presumed gone (heartbeat timeout 1m00s)"));
  CHECK_THAT(text, Catch::Contains("running (no heartbeat): trial 4 (seed=4)"));

  // A longer timeout (the workers were given one): the same silence is not stale yet.
  const StudyStatus patient = study_status(data, kNow, 600);
  CHECK_FALSE(patient.running[1].stale);
  CHECK_THAT(format_status(data, patient, kNow), Catch::Contains("for 6m40s, heartbeat 2m30s ago"));
}

}  // namespace mose::study::analysis

// `mose-study status`: how far a study has got. Counts per status and kind, progress
// per axis value (how many of the trials with that value are done), the trials
// running now with the age of their last heartbeat, and an ETA: the mean duration of
// the done trials of each kind, times the trials of that kind still to run (less the
// time running ones have already had), divided by the number of trials running in
// parallel now (at least one; stale trials do not count).
//
// A running trial whose heartbeat is older than the heartbeat timeout has lost its
// worker (killed, or its machine gone): it still reads "running" in the store until a
// worker's claim takes it over, so status says so ("running (no heartbeat for 2m10s)")
// instead of showing it as busy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "study/analysis/analysis.h"

namespace mose::study::analysis {

struct AxisProgress {
  std::string axis{};
  std::string value{};
  std::int64_t done = 0;
  std::int64_t total = 0;
};

struct RunningTrial {
  const TrialRow* row = nullptr;
  std::optional<double> heartbeat_age_s{};  // since its last heartbeat; nullopt without one
  bool stale = false;                       // no heartbeat (or none at all) for longer than the timeout
};

struct StudyStatus {
  db::StatusCounts training{};
  db::StatusCounts evaluation{};
  std::vector<AxisProgress> axes{};
  std::vector<RunningTrial> running{};
  double heartbeat_timeout_s = 60.0;
  std::optional<double> mean_training_s{};
  std::optional<double> mean_evaluation_s{};
  std::optional<double> eta_s{};  // nullopt when nothing is left or a kind has no done trial to time
};

// `now` in unix seconds (db/clock.h), for the running trials' elapsed time and heartbeat
// age; `heartbeat_timeout_s` as the workers were given it (their default is 60 s).
StudyStatus study_status(const StudyData& data, double now, double heartbeat_timeout_s = 60.0);

std::string format_status(const StudyData& data, const StudyStatus& status, double now);

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace mose::study::analysis

// `mose-study status`: how far a study has got. Counts per status and kind, progress
// per axis value (how many of the trials with that value are done), the trials
// running now, and an ETA: the mean duration of the done trials of each kind, times the
// trials of that kind still to run (less the time running ones have already had),
// divided by the number of trials running in parallel now (at least one).
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

struct StudyStatus {
  db::StatusCounts training{};
  db::StatusCounts evaluation{};
  std::vector<AxisProgress> axes{};
  std::vector<const TrialRow*> running{};
  std::optional<double> mean_training_s{};
  std::optional<double> mean_evaluation_s{};
  std::optional<double> eta_s{};  // nullopt when nothing is left or a kind has no done trial to time
};

// `now` in unix seconds (db/clock.h), for the running trials' elapsed time.
StudyStatus study_status(const StudyData& data, double now);

std::string format_status(const StudyData& data, const StudyStatus& status, double now);

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace mose::study::analysis

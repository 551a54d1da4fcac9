#include "study/analysis/study_status.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace mose::study::analysis {
namespace {

void count(db::StatusCounts& counts, db::TrialStatus status) {
  switch (status) {
    case db::TrialStatus::kPending: ++counts.pending; break;
    case db::TrialStatus::kRunning: ++counts.running; break;
    case db::TrialStatus::kDone: ++counts.done; break;
    case db::TrialStatus::kFailed: ++counts.failed; break;
  }
}

std::optional<double> mean_duration(const StudyData& data, db::TrialKind kind) {
  double sum = 0;
  int n = 0;
  for (const TrialRow& row : data.trials) {
    const db::TrialRecord& t = row.trial;
    if (t.kind != kind || t.status != db::TrialStatus::kDone || !t.started || !t.finished) continue;
    sum += *t.finished - *t.started;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

// Whether a running trial has been silent (no heartbeat, or none since it started)
// for longer than the heartbeat timeout.
bool stale(const db::TrialRecord& t, double now, double heartbeat_timeout_s) {
  const std::optional<double> silent_since = t.heartbeat ? t.heartbeat : t.started;
  return !silent_since || now - *silent_since > heartbeat_timeout_s;
}

// Seconds of work left: pending trials at their kind's mean, live running ones at
// what their mean leaves them, stale ones at the whole mean (they start over). nullopt
// when a kind with work left has no mean yet.
std::optional<double> remaining_work(const StudyData& data, const StudyStatus& s, double now) {
  const auto live = [&](const db::TrialRecord& t) {
    return t.status == db::TrialStatus::kRunning && t.started && !stale(t, now, s.heartbeat_timeout_s);
  };
  double work = 0;
  for (const TrialRow& row : data.trials) {
    const db::TrialRecord& t = row.trial;
    if (t.status != db::TrialStatus::kPending && t.status != db::TrialStatus::kRunning) continue;
    const std::optional<double>& mean = t.kind == db::TrialKind::kTrain ? s.mean_training_s : s.mean_evaluation_s;
    if (!mean) return std::nullopt;
    const double elapsed = live(t) ? now - *t.started : 0.0;
    work += std::max(0.0, *mean - elapsed);
  }
  return work;
}

void add_axis_progress(StudyStatus& s, const StudyData& data) {
  for (const std::string& axis : data.axis_names) {
    for (const TrialRow& row : data.trials) {
      for (const auto& [name, value] : row.axes) {
        if (name != axis) continue;
        auto it = std::find_if(s.axes.begin(), s.axes.end(),
                               [&](const AxisProgress& p) { return p.axis == axis && p.value == value; });
        if (it == s.axes.end()) it = s.axes.insert(s.axes.end(), AxisProgress{axis, value, 0, 0});
        ++it->total;
        if (row.trial.status == db::TrialStatus::kDone) ++it->done;
      }
    }
  }
}

RunningTrial running_trial(const TrialRow& row, double now, double heartbeat_timeout_s) {
  RunningTrial r{.row = &row};
  const db::TrialRecord& t = row.trial;
  if (t.heartbeat) r.heartbeat_age_s = std::max(0.0, now - *t.heartbeat);
  r.stale = stale(t, now, heartbeat_timeout_s);
  return r;
}

std::string running_line(const RunningTrial& r, double now, double heartbeat_timeout_s) {
  const db::TrialRecord& t = r.row->trial;
  const std::string state = !r.stale ? "running"
                            : r.heartbeat_age_s
                                ? fmt::format("running (no heartbeat for {})", format_duration(*r.heartbeat_age_s))
                                : std::string("running (no heartbeat)");
  std::string line = fmt::format("{}: trial {} ({}) on {}, attempt {}, for {}", state, t.id, r.row->full_label(),
                                 t.worker, t.attempts, format_duration(t.started ? now - *t.started : 0.0));
  if (!r.stale) {
    line += r.heartbeat_age_s ? fmt::format(", heartbeat {} ago", format_duration(*r.heartbeat_age_s)) : "";
  } else {
    line += fmt::format("; its worker is presumed gone (heartbeat timeout {}): the next worker to claim takes it over",
                        format_duration(heartbeat_timeout_s));
  }
  return line + "\n";
}

std::string counts_line(const char* what, const db::StatusCounts& c) {
  return fmt::format("{:<11} {:>4} done  {:>4} running  {:>4} pending  {:>4} failed  ({} in all)\n", what, c.done,
                     c.running, c.pending, c.failed, c.total());
}

}  // namespace

std::string format_duration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

StudyStatus study_status(const StudyData& data, double now, double heartbeat_timeout_s) {
  StudyStatus s{.heartbeat_timeout_s = heartbeat_timeout_s};
  for (const TrialRow& row : data.trials) {
    count(row.trial.kind == db::TrialKind::kTrain ? s.training : s.evaluation, row.trial.status);
    if (row.trial.status == db::TrialStatus::kRunning)
      s.running.push_back(running_trial(row, now, heartbeat_timeout_s));
  }
  const auto live = static_cast<std::size_t>(
      std::count_if(s.running.begin(), s.running.end(), [](const RunningTrial& r) { return !r.stale; }));
  s.mean_training_s = mean_duration(data, db::TrialKind::kTrain);
  s.mean_evaluation_s = mean_duration(data, db::TrialKind::kEval);
  add_axis_progress(s, data);
  const std::int64_t left = s.training.pending + s.training.running + s.evaluation.pending + s.evaluation.running;
  if (left > 0) {
    if (const std::optional<double> work = remaining_work(data, s, now)) {
      s.eta_s = *work / static_cast<double>(std::max<std::size_t>(1, live));
    }
  }
  return s;
}

std::string format_status(const StudyData& data, const StudyStatus& s, double now) {
  std::string out = fmt::format("study '{}' (recipe {})\n", data.study.name, data.study.recipe_path);
  out += counts_line("training", s.training);
  out += counts_line("evaluation", s.evaluation);
  if (!s.axes.empty()) out += "progress by axis value (done / trials):\n";
  for (const AxisProgress& p : s.axes) out += fmt::format("  {} = {}: {} / {}\n", p.axis, p.value, p.done, p.total);
  for (const RunningTrial& r : s.running) out += running_line(r, now, s.heartbeat_timeout_s);
  if (s.mean_training_s) out += fmt::format("mean training trial: {}\n", format_duration(*s.mean_training_s));
  if (s.mean_evaluation_s) out += fmt::format("mean evaluation trial: {}\n", format_duration(*s.mean_evaluation_s));
  if (s.eta_s) out += fmt::format("ETA: {} at the current parallelism\n", format_duration(*s.eta_s));
  return out;
}

}  // namespace mose::study::analysis

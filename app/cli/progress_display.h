// Shows workers' progress (study/runner/progress.h) and log messages on the terminal.
//
// On a terminal with one worker: a one-line progress bar on stdout, redrawn in place
// (step/steps, loss, tokens/s, ETA), and a permanent line per finished trial. Anywhere
// else (a pipe, a file, several worker processes sharing the terminal): plain lines,
// a training line at most every few seconds per trial. Log messages go to stderr with
// a timestamp; the bar is cleared before and redrawn after each, so they never mix.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/log.h"
#include "study/runner/progress.h"

namespace mose::app::cli {

class ProgressDisplay {
 public:
  // `bar`: draw the in-place bar (else plain lines).
  explicit ProgressDisplay(bool bar);
  ~ProgressDisplay();  // ends the bar line
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  void show(const study::runner::TrialProgress& event);
  // A log message, timestamped, to stderr.
  void log(log::Level level, std::string_view message);

 private:
  void clear_bar();
  void draw_bar();
  void print_line(const std::string& line);

  bool bar_;
  std::mutex mutex_;
  std::string current_bar_;                                                  // empty when no bar is drawn
  std::map<std::int64_t, std::chrono::steady_clock::time_point> last_line_;  // per trial, plain mode
};

// True when stdout is a terminal.
bool stdout_is_terminal();

// "[2025-01-31 14:02:03] [info] message": the log line format of mose-study.
std::string timestamped(log::Level level, std::string_view message);

// The text of one event as a plain line, e.g. "[w0] trial 3 (train mode=mose): step
// 120/300  loss 3.2140  12.3k tok/s  ETA 42s".
std::string progress_line(const study::runner::TrialProgress& event);

}  // namespace mose::app::cli

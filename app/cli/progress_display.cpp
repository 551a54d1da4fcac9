#include "progress_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "study/analysis/study_status.h"

namespace mose::app::cli {
namespace {

constexpr auto kPlainInterval = std::chrono::seconds(5);

int terminal_width() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 100;
}

std::string rate(double tokens_per_s) {
  if (tokens_per_s >= 1e6) return fmt::format("{:.1f}M tok/s", tokens_per_s / 1e6);
  if (tokens_per_s >= 1e3) return fmt::format("{:.1f}k tok/s", tokens_per_s / 1e3);
  return fmt::format("{:.0f} tok/s", tokens_per_s);
}

std::string training_text(const study::runner::TrialProgress& e) {
  std::string text = fmt::format("step {}/{}  loss {:.4f}  {}", e.step, e.steps, e.loss, rate(e.tokens_per_s));
  if (e.eta_s >= 0) text += "  ETA " + study::analysis::format_duration(e.eta_s);
  return text;
}

std::string bar_text(const study::runner::TrialProgress& e, int width) {
  constexpr int kCells = 24;
  const double done = e.steps > 0 ? std::clamp(static_cast<double>(e.step) / e.steps, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(done * kCells);
  std::string text = fmt::format("trial {} [{}{}] {}  {}", e.trial_id, std::string(filled, '#'),
                                 std::string(kCells - filled, '-'), training_text(e), e.label);
  if (static_cast<int>(text.size()) > width - 1) text.resize(static_cast<std::size_t>(width - 1));
  return text;
}

bool is_final(study::runner::TrialPhase phase) {
  return phase == study::runner::TrialPhase::kDone || phase == study::runner::TrialPhase::kFailed ||
         phase == study::runner::TrialPhase::kReleased || phase == study::runner::TrialPhase::kLost;
}

}  // namespace

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

std::string timestamped(log::Level level, std::string_view message) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return fmt::format("[{:%Y-%m-%d %H:%M:%S}] [{}] {}", local, log::level_name(level), message);
}

std::string progress_line(const study::runner::TrialProgress& e) {
  const std::string head = fmt::format("[w{}] trial {} ({} {})", e.worker, e.trial_id, e.kind, e.label);
  switch (e.phase) {
    case study::runner::TrialPhase::kStarted: return fmt::format("{}: started, attempt {}", head, e.attempt);
    case study::runner::TrialPhase::kTraining: return head + ": " + training_text(e);
    case study::runner::TrialPhase::kEvaluating: return head + ": evaluating";
    case study::runner::TrialPhase::kRecording: return head + ": recording results";
    default:
      return fmt::format("{}: {} after {}{}", head, study::runner::phase_name(e.phase),
                         study::analysis::format_duration(e.elapsed_s), e.message.empty() ? "" : ": " + e.message);
  }
}

ProgressDisplay::ProgressDisplay(bool bar) : bar_(bar) {}

ProgressDisplay::~ProgressDisplay() {
  std::lock_guard lock(mutex_);
  clear_bar();
}

void ProgressDisplay::show(const study::runner::TrialProgress& event) {
  std::lock_guard lock(mutex_);
  if (bar_ && event.phase == study::runner::TrialPhase::kTraining) {
    current_bar_ = bar_text(event, terminal_width());
    draw_bar();
    return;
  }
  if (!bar_ && event.phase == study::runner::TrialPhase::kTraining) {
    const auto now = std::chrono::steady_clock::now();
    auto [it, fresh] = last_line_.try_emplace(event.trial_id, now);
    if (!fresh && now - it->second < kPlainInterval && event.step != event.steps) return;
    it->second = now;
  }
  if (is_final(event.phase)) last_line_.erase(event.trial_id);
  clear_bar();  // the bar shows training only; other events replace it with a line
  print_line(progress_line(event));
}

void ProgressDisplay::log(log::Level level, std::string_view message) {
  std::lock_guard lock(mutex_);
  if (!current_bar_.empty()) {
    std::fputs("\r\033[2K", stdout);
    std::fflush(stdout);
  }
  std::fprintf(stderr, "%s\n", timestamped(level, message).c_str());
  std::fflush(stderr);
  draw_bar();
}

void ProgressDisplay::clear_bar() {
  if (current_bar_.empty()) return;
  std::fputs("\r\033[2K", stdout);
  std::fflush(stdout);
  current_bar_.clear();
}

void ProgressDisplay::draw_bar() {
  if (current_bar_.empty()) return;
  std::fprintf(stdout, "\r\033[2K%s", current_bar_.c_str());
  std::fflush(stdout);
}

void ProgressDisplay::print_line(const std::string& line) {
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace mose::app::cli

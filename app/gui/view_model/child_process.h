// A child process whose output is collected on a background thread: the GUI's "Launch"
// runs `mose-study run` this way. The last lines of its stdout and stderr (merged) are
// kept for the log tail; the exit status is published as an atomic. stop() sends
// SIGINT, which mose-study treats as Ctrl-C: it checkpoints, hands running trials back
// to pending and exits 130, so the study resumes on the next run.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mose::app::gui::view_model {

class ChildProcess {
 public:
  // Starts `program` with `args` in `cwd`. Throws IoError naming the program when the
  // pipe or the process cannot be created; a program that cannot be executed exits 127
  // with the reason in its log.
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& cwd, std::size_t keep_lines = 400);
  ~ChildProcess();  // a child still running is stopped with SIGINT, then waited for
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return !exit_code().has_value(); }
  // The exit code, or 128 + signal; nullopt while running.
  std::optional<int> exit_code() const;
  void stop();  // SIGINT; harmless once it exited
  // The last lines of output (a partial last line included).
  std::vector<std::string> tail(std::size_t lines) const;
  const std::string& command_line() const { return command_line_; }

 private:
  void read_output(int fd);

  pid_t pid_ = -1;
  std::string command_line_{};
  std::size_t keep_lines_;
  mutable std::mutex mutex_;
  std::deque<std::string> lines_{};
  std::string partial_{};
  std::optional<int> exit_code_{};  // written under mutex_
  std::thread reader_{};
};

}  // namespace mose::app::gui::view_model

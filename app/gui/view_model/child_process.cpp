#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>

#include "base/errors.h"

namespace mose::app::gui::view_model {
namespace {

// In the forked child, before exec (async-signal-safe calls only): caught signals get
// their default action back (exec would do the same), ignored ones stay ignored, and
// the mask is what it was before the fork.
void restore_default_signals(const sigset_t& mask) {
  for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
    struct sigaction current {};
    if (::sigaction(signal_number, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;
    if (current.sa_handler != SIG_DFL) ::signal(signal_number, SIG_DFL);
  }
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
}

}  // namespace

ChildProcess::ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
                           const std::filesystem::path& cwd, std::size_t keep_lines)
    : command_line_(fmt::format("{} {}", program.string(), fmt::join(args, " "))), keep_lines_(keep_lines) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw IoError(fmt::format("{}: cannot create a pipe: {}", program.string(), std::strerror(errno)));
  std::vector<std::string> owned{program.string()};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Signals stay blocked across fork() until the child has dropped this process's
  // handlers: a stop() right after the start must reach the program (or the child's
  // default action), never a copy of our own handler running in the not-yet-exec'd child.
  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &previous);
  pid_ = ::fork();
  if (pid_ != 0) ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid_ < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw IoError(fmt::format("{}: cannot start a process: {}", program.string(), std::strerror(errno)));
  }
  if (pid_ == 0) {  // the child: only async-signal-safe calls until exec
    restore_default_signals(previous);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    if (::chdir(cwd.c_str()) != 0) {
      const char message[] = "mose-gui: cannot change to the working directory\n";
      [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    const char message[] = "mose-gui: cannot execute the program\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }
  ::close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] { read_output(fd); });
}

ChildProcess::~ChildProcess() {
  stop();
  if (reader_.joinable()) reader_.join();
}

void ChildProcess::read_output(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buffer[i];
      if (c == '\n' || c == '\r') {  // \r: a progress line redrawn in place
        if (!partial_.empty()) lines_.push_back(std::move(partial_));
        partial_.clear();
        while (lines_.size() > keep_lines_) lines_.pop_front();
      } else {
        partial_.push_back(c);
      }
    }
  }
  ::close(fd);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mutex_);
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::optional<int> ChildProcess::exit_code() const {
  std::lock_guard lock(mutex_);
  return exit_code_;
}

void ChildProcess::stop() {
  std::lock_guard lock(mutex_);
  if (!exit_code_ && pid_ > 0) ::kill(pid_, SIGINT);
}

std::vector<std::string> ChildProcess::tail(std::size_t lines) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  const std::size_t total = lines_.size() + (partial_.empty() ? 0 : 1);
  const std::size_t skip = total > lines ? total - lines : 0;
  for (std::size_t i = skip; i < lines_.size(); ++i) out.push_back(lines_[i]);
  if (!partial_.empty()) out.push_back(partial_);
  return out;
}

}  // namespace mose::app::gui::view_model

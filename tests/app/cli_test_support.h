// Running the mose-study executable from tests: where it is, and running it (to the
// end, or in the background to be killed) with its output captured in a file.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mose::app::cli::testing {

// $MOSE_STUDY_BIN, else app/mose-study beside this test's folder in the build tree
// (build/tests/mose_app_tests -> build/app/mose-study).
inline std::filesystem::path cli_path() {
  if (const char* env = std::getenv("MOSE_STUDY_BIN"); env != nullptr && *env != '\0') return env;
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "app" / "mose-study";
}

// Starts mose-study with `args` in `cwd`, stdout and stderr to `log`.
inline pid_t start_cli(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                       const std::filesystem::path& log) {
  const std::string program = cli_path().string();
  REQUIRE(std::filesystem::exists(program));  // build the mose-study target first
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// The exit code, or 128 + signal.
inline int wait_cli(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct CliResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

inline CliResult run_cli(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  const std::filesystem::path log = cwd / "cli.log";
  CliResult result;
  result.code = wait_cli(start_cli(args, cwd, log));
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  result.output = text.str();
  return result;
}

}  // namespace mose::app::cli::testing

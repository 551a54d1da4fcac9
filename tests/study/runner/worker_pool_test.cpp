// Worker processes and their parent's death: a worker must stop cleanly (its own code
// runs to its end) when the process that started it dies, even after a Ctrl-C it got
// itself, which a second SIGTERM would have turned into an immediate exit.
#include "study/runner/worker_pool.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "study/runner/stop_signal.h"
#include "study/study_test_support.h"

namespace mose::study::runner {
namespace {

using testing::ScratchDir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

// A zombie (dead, not yet reaped by whoever adopted it) counts as ended.
bool alive(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t end = stat.rfind(')');
  return end != std::string::npos && end + 2 < stat.size() && stat[end + 2] != 'Z';
}

template <typename Predicate>
bool wait_until(Predicate done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_CASE("a worker interrupted once still stops cleanly when its parent is killed", "[study][runner][workers]") {
  ScratchDir dir("worker_parent_death");
  const std::filesystem::path ready = dir.path() / "ready", outcome = dir.path() / "outcome";
  // The parent: a process that starts one worker and is then killed with SIGKILL.
  const pid_t parent = ::fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    const pid_t self = ::getpid();
    run_in_processes(1, [&](int) {
      ::raise(SIGINT);  // the worker's own Ctrl-C: its first interrupt, a stop request
      write_file(ready, std::to_string(::getpid()));
      // Its parent dies now; the stop request it gets for that must not end it at once.
      for (int i = 0; i < 500 && ::getppid() == self; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // any pending signal is delivered by now
      write_file(outcome, stop_requested() ? "stopped cleanly" : "no stop request");
      return 0;
    });
    ::_exit(0);
  }
  REQUIRE(wait_until([&] { return std::filesystem::exists(ready); }, std::chrono::seconds(30)));
  REQUIRE(::kill(parent, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(parent, &status, 0) == parent);
  const pid_t worker = std::stoi(read_file(ready));
  const bool ended = wait_until([&] { return !alive(worker); }, std::chrono::seconds(30));
  if (!ended) ::kill(worker, SIGKILL);
  CHECK(ended);
  // Before the fix the parent's death came as SIGTERM, the second interrupt: the worker
  // ended with _exit(143) and never wrote its outcome.
  CHECK(read_file(outcome) == "stopped cleanly");
}

}  // namespace
}  // namespace mose::study::runner

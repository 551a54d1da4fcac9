// Helpers shared by the db tests: an exception-message matcher, a log capture, a unique
// temporary directory removed on destruction, a folder made immutable (a stand-in for
// a read-only filesystem), a clock the test moves by hand,
// trial factories, and fork()ed worker processes that report through their
// exit code.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/log.h"
#include "db/storage.h"

namespace mose::db::testing {

// Matches an exception whose message contains every one of `parts` (Catch2
// v2's string matchers cannot be applied to an exception directly).
class MessageContains : public Catch::MatcherBase<std::exception> {
 public:
  MessageContains(std::initializer_list<std::string> parts) : parts_(parts) {}
  bool match(const std::exception& error) const override {
    const std::string message = error.what();
    for (const std::string& part : parts_) {
      if (message.find(part) == std::string::npos) return false;
    }
    return true;
  }
  std::string describe() const override {
    std::string out = "has a message containing";
    for (const std::string& part : parts_) out += " \"" + part + "\"";
    return out;
  }

 private:
  std::vector<std::string> parts_;
};

// Collects log messages (instead of printing them) while alive.
class LogCapture {
 public:
  LogCapture() {
    previous_ =
        mose::log::set_sink([this](mose::log::Level, std::string_view message) { messages_.emplace_back(message); });
  }
  ~LogCapture() { mose::log::set_sink(std::move(previous_)); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  const std::vector<std::string>& messages() const { return messages_; }

 private:
  mose::log::Sink previous_;
  std::vector<std::string> messages_;
};

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / ("mose-db-test-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter++) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;  // a destructor cannot report; leftovers are only temp files
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// `chattr +i` on a folder for the life of the object: nothing, root included, can
// create a file in it, as on a read-only filesystem. `applied` is false where the
// filesystem or the user cannot set the flag.
class ImmutableFolder {
 public:
  explicit ImmutableFolder(std::filesystem::path folder) : folder_(std::move(folder)) {
    applied_ = std::system(("chattr +i '" + folder_.string() + "' 2>/dev/null").c_str()) == 0;
  }
  ~ImmutableFolder() {
    if (applied_) {
      [[maybe_unused]] const int ignored = std::system(("chattr -i '" + folder_.string() + "'").c_str());
    }
  }
  ImmutableFolder(const ImmutableFolder&) = delete;
  ImmutableFolder& operator=(const ImmutableFolder&) = delete;
  bool applied() const { return applied_; }

 private:
  std::filesystem::path folder_;
  bool applied_ = false;
};

// Time that moves only when the test says so; copies share the same time.
class ManualClock {
 public:
  explicit ManualClock(double start = 1'700'000'000.0) : now_(std::make_shared<double>(start)) {}
  void advance(double seconds) { *now_ += seconds; }
  double now() const { return *now_; }
  Clock clock() const {
    return [now = now_] { return *now; };
  }

 private:
  std::shared_ptr<double> now_;
};

inline StorageOptions manual_options(const ManualClock& clock) {
  StorageOptions options;
  options.clock = clock.clock();
  return options;
}

// A canonical-looking config and its "hash" for trial number `i`; the db only
// compares hash strings, so any distinct strings do.
inline NewTrial train_trial(int i, std::int64_t seed = 0) {
  NewTrial trial;
  trial.kind = TrialKind::kTrain;
  trial.config = R"({"lr":)" + std::to_string(i) + R"(,"task":"train"})";
  trial.config_hash = "train-" + std::to_string(i);
  trial.seed = seed;
  return trial;
}

inline NewTrial eval_trial(int i, std::int64_t parent_id) {
  NewTrial trial;
  trial.kind = TrialKind::kEval;
  trial.config = R"({"parent":)" + std::to_string(parent_id) + R"(,"task":"eval)" + std::to_string(i) + R"("})";
  trial.config_hash = "eval-" + std::to_string(i) + "-of-" + std::to_string(parent_id);
  trial.parent_id = parent_id;
  return trial;
}

inline ClaimRequest claim_as(const std::string& worker, double heartbeat_timeout_s = 1.0) {
  ClaimRequest request;
  request.worker = worker;
  request.heartbeat_timeout_s = heartbeat_timeout_s;
  return request;
}

// Runs `body` in a fork()ed child that exits with body's return value (or 100
// after printing an exception). The child never returns into Catch2 and skips
// destructors (_exit), so it cannot touch the parent's open connections.
inline pid_t spawn(const std::function<int()>& body) {
  std::fflush(nullptr);  // or buffered output would be written twice
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  int code = 100;
  try {
    code = body();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), error.what());
  }
  std::fflush(nullptr);
  ::_exit(code);
}

// The child's exit code, or -signal if a signal ended it.
inline int wait_for(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1000;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1001;
}

}  // namespace mose::db::testing

// Logging through one replaceable callback (base/log.h): the sink sees each message once,
// formatted, with its level; messages below the minimum level never reach it; a replaced
// sink is handed back so it can be restored; the default sink writes "[level] message" to
// stderr.
#include "base/log.h"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mose {
namespace {

using Record = std::pair<log::Level, std::string>;

// Installs a sink that records messages, and restores the previous sink and level on exit.
class CapturedLog {
 public:
  CapturedLog() : previous_level_(log::min_level()) {
    previous_sink_ = log::set_sink(
        [this](log::Level level, std::string_view message) { records.emplace_back(level, std::string(message)); });
  }
  ~CapturedLog() {
    log::set_sink(std::move(previous_sink_));
    log::set_min_level(previous_level_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<Record> records;

 private:
  log::Sink previous_sink_;
  log::Level previous_level_;
};

// What `write` sends to stderr (file descriptor 2) while it runs.
template <typename Write>
std::string stderr_of(Write write) {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  std::fflush(stderr);
  const int saved = ::dup(2);
  ::dup2(::fileno(file), 2);
  write();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string text;
  std::rewind(file);
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text.push_back(static_cast<char>(c));
  std::fclose(file);
  return text;
}

}  // namespace

TEST_CASE("the sink receives each message formatted, with its level", "[base][log]") {
  CapturedLog captured;
  log::set_min_level(log::Level::kDebug);
  log::debug("step {} of {}", 3, 10);
  log::info("loss {:.3f}", 2.5);
  log::warn("{} experts unused", 2);
  log::error("cannot open {}", "train.bin");
  CHECK(captured.records == std::vector<Record>{{log::Level::kDebug, "step 3 of 10"},
                                                {log::Level::kInfo, "loss 2.500"},
                                                {log::Level::kWarning, "2 experts unused"},
                                                {log::Level::kError, "cannot open train.bin"}});
}

TEST_CASE("messages below the minimum level never reach the sink", "[base][log]") {
  CapturedLog captured;
  log::set_min_level(log::Level::kWarning);
  CHECK(log::min_level() == log::Level::kWarning);
  log::debug("hidden");
  log::info("hidden");
  log::write(log::Level::kInfo, "hidden");
  log::warn("shown");
  log::set_min_level(log::Level::kError);
  log::warn("hidden");
  log::write(log::Level::kError, "shown too");
  CHECK(captured.records == std::vector<Record>{{log::Level::kWarning, "shown"}, {log::Level::kError, "shown too"}});
}

TEST_CASE("set_sink returns the sink it replaces, and nullptr restores the stderr default", "[base][log]") {
  CapturedLog outer;
  std::vector<std::string> inner;
  log::Sink replaced = log::set_sink([&](log::Level, std::string_view m) { inner.emplace_back(m); });
  log::info("to the inner sink");
  REQUIRE(replaced);
  replaced(log::Level::kInfo, "through the returned sink");  // the returned sink is outer's
  log::Sink returned_inner;
  const std::string printed = stderr_of([&] {
    returned_inner = log::set_sink(nullptr);
    log::warn("{} to stderr", "default");
  });
  CHECK(printed == "[warning] default to stderr\n");
  REQUIRE(returned_inner);
  CHECK(inner == std::vector<std::string>{"to the inner sink"});
  CHECK(outer.records == std::vector<Record>{{log::Level::kInfo, "through the returned sink"}});
}

TEST_CASE("level names", "[base][log]") {
  CHECK(std::string(log::level_name(log::Level::kDebug)) == "debug");
  CHECK(std::string(log::level_name(log::Level::kInfo)) == "info");
  CHECK(std::string(log::level_name(log::Level::kWarning)) == "warning");
  CHECK(std::string(log::level_name(log::Level::kError)) == "error");
}

}  // namespace mose

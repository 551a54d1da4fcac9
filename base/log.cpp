#include "base/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace mose::log {
namespace {

std::mutex sink_mutex;
Sink current_sink;  // empty = default stderr sink
std::atomic<Level> current_min_level{Level::kInfo};

void default_sink(Level level, std::string_view message) {
  std::fprintf(stderr, "[%s] %.*s\n", level_name(level), static_cast<int>(message.size()), message.data());
}

}  // namespace

Sink set_sink(Sink sink) {
  std::lock_guard lock(sink_mutex);
  Sink previous = std::move(current_sink);
  current_sink = std::move(sink);
  return previous;
}

void set_min_level(Level level) { current_min_level = level; }
Level min_level() { return current_min_level; }

void write(Level level, std::string_view message) {
  if (level < current_min_level) return;
  std::lock_guard lock(sink_mutex);
  if (current_sink) {
    current_sink(level, message);
  } else {
    default_sink(level, message);
  }
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "?";
}

}  // namespace mose::log

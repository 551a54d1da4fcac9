// Logging through one replaceable callback: library code never prints directly.
// The default sink writes "[level] message" to stderr; tools and the GUI install
// their own. This callback is the only global state in mose.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace mose::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

using Sink = std::function<void(Level, std::string_view)>;

// Installs a sink (nullptr restores the default) and returns the previous one.
Sink set_sink(Sink sink);
void set_min_level(Level level);
Level min_level();
void write(Level level, std::string_view message);
const char* level_name(Level level);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (min_level() <= Level::kDebug) write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (min_level() <= Level::kInfo) write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace mose::log

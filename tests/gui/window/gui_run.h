// Running mose-gui from tests, under Xvfb with Mesa's software OpenGL: the
// executable's path, running it to the end with its output captured, and reading its
// state dumps (view_model/state_dump.h plus the point and window lines it appends).
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace mose::app::gui::testing {

// $MOSE_GUI_BIN, else app/mose-gui in the build tree (build/tests/<test> -> build/app/mose-gui).
inline std::filesystem::path gui_path() {
  if (const char* env = std::getenv("MOSE_GUI_BIN"); env != nullptr && *env != '\0') return env;
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "app" / "mose-gui";
}

struct GuiResult {
  int code = -1;
  std::string output{};
};

// xvfb-run -a (a free display) with a 24-bit screen larger than the window; `timeout`
// ends a run that hangs; the recent-studies list goes into `dir`, not the user's.
inline GuiResult run_gui_once(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  const std::string gui = gui_path().string();
  REQUIRE(std::filesystem::exists(gui));  // build the mose-gui target first
  std::vector<std::string> command{"env", "XDG_CONFIG_HOME=" + dir.string(), "timeout", "300", "xvfb-run", "-a",
                                   "-s",  "-screen 0 1920x1200x24",          gui};
  command.insert(command.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : command) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::filesystem::path log = dir / "gui.log";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::chdir(dir.c_str()) != 0) ::_exit(127);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  GuiResult result{.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  result.output = text.str();
  return result;
}

// Two `xvfb-run -a` started at the same moment (ctest -j) may pick the same display
// number, and one of them fails to start its server: that run is tried again.
inline GuiResult run_gui(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  GuiResult result = run_gui_once(args, dir);
  for (int retry = 0; retry < 3 && result.output.find("Xvfb failed to start") != std::string::npos; ++retry) {
    result = run_gui_once(args, dir);
  }
  return result;
}

struct DumpedPoint {
  std::int64_t id = 0;
  int style = 0;
  double x = 0, y = 0;
  int r = 0, g = 0, b = 0;
};

struct Dump {
  std::vector<std::string> lines;
  std::map<std::string, std::string> facts;  // first word -> the rest of the line (last one wins)
  std::vector<std::string> tooltip;
  std::vector<DumpedPoint> points;
};

inline Dump read_dump(const std::filesystem::path& path) {
  Dump dump;
  std::ifstream in(path);
  REQUIRE(in.good());
  for (std::string line; std::getline(in, line);) {
    dump.lines.push_back(line);
    const std::size_t space = line.find(' ');
    const std::string key = line.substr(0, space), rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "point") {
      DumpedPoint p;
      std::istringstream(rest) >> p.id >> p.style >> p.x >> p.y >> p.r >> p.g >> p.b;
      dump.points.push_back(p);
    } else if (key == "tooltip") {
      dump.tooltip.push_back(rest);
    } else {
      dump.facts[key] = rest;
    }
  }
  return dump;
}

}  // namespace mose::app::gui::testing

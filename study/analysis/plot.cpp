// Frontier plots: the CSV, the script filled from the embedded template
// (study/analysis/plot_frontier.py, embedded by study/CMakeLists.txt), and running it
// with a Python that has matplotlib. The child runs without a shell
// (posix_spawnp), its stdout and stderr captured together for error messages.
#include "study/analysis/plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "plot_frontier_template.inc"  // kPlotScriptTemplate

extern char** environ;

namespace mose::study::analysis {
namespace fs = std::filesystem;
namespace {

// ---- settings ---------------------------------------------------------------

void check_range(const char* field, int value, int lo, int hi) {
  if (value >= lo && value <= hi) return;
  throw ConfigError(fmt::format("PlotSpec::{} = {}; expected {}..{}", field, value, lo, hi));
}

void check_spec(const PlotSpec& spec) {
  const bool plain_name = !spec.stem.empty() &&
                          spec.stem.find_first_not_of(
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  if (!plain_name) {
    throw ConfigError(
        fmt::format("PlotSpec::stem = '{}'; expected a plain file name of letters, digits, '.', '_', '-'", spec.stem));
  }
  for (const auto& [field, name] : {std::pair{"x_column", &spec.x_column}, std::pair{"y_column", &spec.y_column}}) {
    if (name->empty() || *name == "group" || *name == "id" || *name == "on_frontier") {
      throw ConfigError(fmt::format("PlotSpec::{} = '{}'; expected a non-empty name other than group, id, on_frontier",
                                    field, *name));
    }
  }
  if (spec.x_column == spec.y_column) {
    throw ConfigError(fmt::format("PlotSpec::x_column and y_column are both '{}'; they must differ", spec.x_column));
  }
  check_range("width_px", spec.width_px, 16, 20000);
  check_range("height_px", spec.height_px, 16, 20000);
  check_range("dpi", spec.dpi, 10, 2000);
}

Direction common_direction(const std::vector<Frontier>& frontiers) {
  std::size_t points = 0;
  for (const Frontier& f : frontiers) {
    points += f.frontier.size() + f.dominated.size();
    if (f.y_direction != frontiers.front().y_direction) {
      throw DataError(fmt::format("cannot plot frontiers '{}' ({}) and '{}' ({}) together: their y directions differ",
                                  frontiers.front().group, direction_name(frontiers.front().y_direction), f.group,
                                  direction_name(f.y_direction)));
    }
  }
  if (points == 0) throw DataError("nothing to plot: the frontiers hold no points");
  return frontiers.front().y_direction;
}

// ---- the script -------------------------------------------------------------

// A double-quoted Python string literal holding `text` (UTF-8 passes through).
std::string python_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Replaces every {{NAME}} of the template by values[NAME]; values are not
// rescanned, so they may contain braces. An unknown or unclosed placeholder is
// a bug in the template.
std::string fill_template(std::string_view text, const std::map<std::string, std::string, std::less<>>& values) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("{{", pos);
    out += text.substr(pos, open - pos);
    if (open == std::string_view::npos) return out;
    const std::size_t close = text.find("}}", open + 2);
    const std::string_view name = close == std::string_view::npos ? "" : text.substr(open + 2, close - open - 2);
    const auto it = values.find(name);
    if (it == values.end()) {
      throw Error(
          fmt::format("plot script template (study/analysis/plot_frontier.py): unknown or unclosed placeholder at "
                      "character {}: '{}'",
                      open, text.substr(open, 40)));
    }
    out += it->second;
    pos = close + 2;
  }
}

// ---- running python ---------------------------------------------------------

struct ProcessResult {
  int status = 0;      // exit code, or 128 + signal number
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (searched on PATH) with `argv` and waits. IoError when it cannot start.
ProcessResult run_process(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw IoError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawn_error != 0) {
    ::close(fds[0]);
    throw IoError(fmt::format("cannot run '{}': {}", argv[0], std::strerror(spawn_error)));
  }
  ProcessResult result;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) result.output.append(buffer, static_cast<std::size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw IoError(fmt::format("waiting for '{}' failed: {}", argv[0], std::strerror(errno)));
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// The last lines of a child's output, enough to show a Python traceback.
std::string output_tail(const std::string& output) {
  constexpr std::size_t kMaxChars = 4000;
  return output.size() <= kMaxChars ? output : "..." + output.substr(output.size() - kMaxChars);
}

std::string resolve_python(const std::string& requested, const fs::path& script) {
  if (!requested.empty()) return requested;
  if (const char* env = std::getenv("MOSE_PYTHON"); env != nullptr && *env != '\0') return env;
  std::vector<std::string> tried;
  for (const char* candidate : {"python3", "/usr/bin/python3"}) {
    try {
      const ProcessResult probe = run_process({candidate, "-c", "import matplotlib"});
      if (probe.status == 0) return candidate;
      tried.push_back(fmt::format("{}: {}", candidate, output_tail(probe.output)));
    } catch (const IoError& e) {
      tried.push_back(e.what());  // this candidate is absent; try the next
    }
  }
  throw Error(
      fmt::format("cannot run plot script {}: no Python interpreter with matplotlib found (install "
                  "python3-matplotlib, or set MOSE_PYTHON or PlotSpec::python). Tried:\n  {}",
                  script.string(), fmt::join(tried, "\n  ")));
}

}  // namespace

PlotFiles plot_files(const PlotSpec& spec) {
  const fs::path base = spec.directory / spec.stem;
  return PlotFiles{fs::path(base).concat(".csv"), spec.directory / ("plot_" + spec.stem + ".py"),
                   fs::path(base).concat(".pdf"), fs::path(base).concat(".svg"), fs::path(base).concat(".png")};
}

CsvTable frontier_csv(const std::vector<Frontier>& frontiers, const std::string& x_column,
                      const std::string& y_column) {
  CsvTable table;
  table.columns = {"group", "id", x_column, y_column, "on_frontier"};
  for (const Frontier& f : frontiers) {
    for (const ParetoPoint& p : f.frontier) {
      table.rows.push_back({p.group, p.id, csv_number(p.x), csv_number(p.y), "true"});
    }
    for (const ParetoPoint& p : f.dominated) {
      table.rows.push_back({p.group, p.id, csv_number(p.x), csv_number(p.y), "false"});
    }
  }
  return table;
}

std::string plot_script(const PlotSpec& spec, Direction y_direction) {
  check_spec(spec);
  const PlotFiles files = plot_files(spec);
  return fill_template(kPlotScriptTemplate, {{"SCRIPT_NAME", files.script.filename().string()},
                                             {"DATA", python_literal(files.csv.filename().string())},
                                             {"OUTPUT_STEM", python_literal(spec.stem)},
                                             {"TITLE", python_literal(spec.title)},
                                             {"X_LABEL", python_literal(spec.x_label)},
                                             {"Y_LABEL", python_literal(spec.y_label)},
                                             {"X_COLUMN", python_literal(spec.x_column)},
                                             {"Y_COLUMN", python_literal(spec.y_column)},
                                             {"Y_DIRECTION", python_literal(direction_name(y_direction))},
                                             {"WIDTH_PX", std::to_string(spec.width_px)},
                                             {"HEIGHT_PX", std::to_string(spec.height_px)},
                                             {"DPI", std::to_string(spec.dpi)}});
}

PlotFiles write_plot_sources(const std::vector<Frontier>& frontiers, const PlotSpec& spec) {
  check_spec(spec);
  if (frontiers.empty()) throw DataError("nothing to plot: no frontiers");
  const Direction y_direction = common_direction(frontiers);
  const PlotFiles files = plot_files(spec);
  write_csv(files.csv, frontier_csv(frontiers, spec.x_column, spec.y_column));
  write_file_atomically(files.script, plot_script(spec, y_direction));
  fs::permissions(files.script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
  return files;
}

void render_plot(const PlotFiles& files, const std::string& python) {
  const std::string interpreter = resolve_python(python, files.script);
  // Old figures must not pass for new ones.
  for (const fs::path& out : {files.pdf, files.svg, files.png}) fs::remove(out);
  ProcessResult run;
  try {
    run = run_process({interpreter, files.script.string()});
  } catch (const IoError& e) {
    throw IoError(fmt::format("cannot run plot script {}: {}", files.script.string(), e.what()));
  }
  if (run.status != 0) {
    const bool no_matplotlib = run.output.find("No module named 'matplotlib'") != std::string::npos;
    throw Error(fmt::format("plot script {} failed: '{}' exited with status {}{}. Its output:\n{}",
                            files.script.string(), interpreter, run.status,
                            no_matplotlib ? " (matplotlib is missing: install python3-matplotlib, or set "
                                            "MOSE_PYTHON to a Python that has it)"
                                          : "",
                            output_tail(run.output)));
  }
  for (const fs::path& out : {files.pdf, files.svg, files.png}) {
    if (!fs::exists(out)) {
      throw Error(fmt::format("plot script {} succeeded but did not write {}. Its output:\n{}", files.script.string(),
                              out.string(), output_tail(run.output)));
    }
  }
}

PlotFiles plot_frontiers(const std::vector<Frontier>& frontiers, const PlotSpec& spec) {
  const PlotFiles files = write_plot_sources(frontiers, spec);
  render_plot(files, spec.python);
  return files;
}

}  // namespace mose::study::analysis

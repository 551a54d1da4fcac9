// `mose-study run` and `mose-study check`.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "base/errors.h"
#include "base/log.h"
#include "commands.h"
#include "core/spec/memory.h"
#include "core/spec/reference_doc.h"
#include "progress_display.h"
#include "study/analysis/analysis_export.h"
#include "study/analysis/analysis_frontiers.h"
#include "study/analysis/report_table.h"
#include "study/analysis/terminal_table.h"
#include "study/recipe/recipe.h"
#include "study/recipe/recipe_preflight.h"
#include "study/runner/runner.h"
#include "study/runner/stop_signal.h"

namespace mose::app::cli {
namespace {

struct RunArgs {
  std::string recipe;
  std::optional<double> device_memory_gib;
  std::string out;
  std::string storage;
  int workers = 1;
  std::vector<std::string> gpus;
  bool retry_failed = false;
  double heartbeat_timeout_s = 60.0;
  std::int64_t max_attempts = 3;
  double poll_interval_s = 1.0;
  bool no_export = false;
};

// The checks of a recipe against this machine (study/recipe/recipe_preflight.h), before
// anything trains: its data and task files, then every trial's memory; `device` replaces
// every trial's train.device (run --gpus). Returns what was checked, for check to print.
std::string preflight(const study::recipe::Recipe& recipe, std::optional<double> device_memory_gib, int workers,
                      const std::string& device) {
  std::optional<double> bytes;
  if (device_memory_gib) bytes = *device_memory_gib * static_cast<double>(1ull << 30);
  const study::recipe::DeviceMemory limits = study::recipe::device_memory(bytes, workers);
  std::string checked = "  inputs:\n";
  for (const std::string& line : study::recipe::check_inputs(recipe)) checked += "    " + line + "\n";
  study::recipe::check_memory_fits(recipe, limits, device);
  return checked +
         fmt::format("  fits: every training trial's memory estimate is within {} on cpu ({}) and {} on cuda ({})\n",
                     core::spec::format_bytes(limits.cpu_bytes), limits.cpu_source,
                     core::spec::format_bytes(limits.cuda_bytes), limits.cuda_source);
}

void add_device_memory_option(CLI::App* cmd, std::optional<double>& gib) {
  cmd->add_option("--device-memory", gib,
                  "memory of the device a trial trains on, in GiB (default: this machine's physical memory for "
                  "cpu, 80 GiB assumed for cuda); trials whose estimate exceeds it are refused")
      ->check(CLI::PositiveNumber);
}

void print_failures(const study::runner::RunReport& report) {
  for (const study::runner::FailedTrial& f : report.failures) {
    std::cout << fmt::format("failed: trial {} ({}): {}\n", f.id, f.label, f.error);
  }
}

// The frontier table and figures, and the exports into the study folder. Plots need
// matplotlib; without it the CSV and LaTeX files are still written and a warning says why
// the figures are missing, since the trials themselves succeeded.
void report_results(const study::runner::RunReport& report, const RunArgs& args) {
  const std::unique_ptr<db::Storage> storage = db::open_storage(report.plan.paths.storage_url);
  const study::analysis::StudyData data =
      study::analysis::load_study_data(*storage, report.plan.study, &report.plan.recipe);
  const study::analysis::FrontierSpec spec;
  const std::vector<study::analysis::Frontier> frontiers = study::analysis::study_frontiers(data, spec);
  if (!frontiers.empty()) {
    std::cout << "\n" << study::analysis::format_terminal_table(study::analysis::frontier_table(frontiers)) << "\n";
    std::cout << study::analysis::format_frontier_report(study::analysis::frontier_report(data, frontiers), spec);
  }
  if (args.no_export) return;
  std::set<std::filesystem::path> written;
  const auto print_new = [&](const std::vector<std::filesystem::path>& paths) {
    for (const auto& path : paths) {
      if (written.insert(path).second) std::cout << "wrote " << path.string() << "\n";
    }
  };
  const std::filesystem::path& out = report.plan.paths.out;
  print_new(study::analysis::export_study(data, {.directory = out, .formats = {"csv"}, .spec = spec}));
  if (frontiers.empty()) return;
  print_new(study::analysis::export_study(data, {.directory = out, .formats = {"tex"}, .spec = spec}));
  try {
    // Rewrites frontier.csv (the same data) beside the script that plots it.
    print_new(study::analysis::export_study(data, {.directory = out, .formats = {"pdf"}, .spec = spec}));
  } catch (const Error& e) {
    log::warn(
        "figures not rendered ({}); the data and script are in {}: run 'mose-study export --format pdf' "
        "once matplotlib is installed",
        describe(e), out.string());
  }
}

// Routes log messages through the progress display while workers run, so that log
// lines and the progress bar never interleave; restores the previous sink after.
class DisplayedLogs {
 public:
  explicit DisplayedLogs(std::shared_ptr<ProgressDisplay> display)
      : previous_(log::set_sink([display](log::Level level, std::string_view m) { display->log(level, m); })) {}
  ~DisplayedLogs() { log::set_sink(std::move(previous_)); }
  DisplayedLogs(const DisplayedLogs&) = delete;
  DisplayedLogs& operator=(const DisplayedLogs&) = delete;

 private:
  log::Sink previous_;
};

study::runner::RunReport run_with_display(const study::recipe::Recipe& recipe, const RunArgs& args) {
  auto display = std::make_shared<ProgressDisplay>(stdout_is_terminal() && args.workers == 1);
  const DisplayedLogs logs(display);
  study::runner::RunOptions options{.out = args.out,
                                    .storage_url = args.storage,
                                    .workers = args.workers,
                                    .gpus = args.gpus,
                                    .retry_failed = args.retry_failed,
                                    .heartbeat_timeout_s = args.heartbeat_timeout_s,
                                    .max_attempts = args.max_attempts,
                                    .poll_interval_s = args.poll_interval_s,
                                    .progress = [display](const study::runner::TrialProgress& e) { display->show(e); }};
  return study::runner::run_study(recipe, options);
}

int run(const RunArgs& args) {
  const study::recipe::Recipe recipe = study::recipe::load_recipe(args.recipe);
  preflight(recipe, args.device_memory_gib, args.workers, args.gpus.empty() ? "" : "cuda");
  study::runner::install_stop_handlers();
  const study::runner::RunReport report = run_with_display(recipe, args);
  const db::StatusCounts& c = report.counts;
  std::cout << fmt::format("study '{}': {} done, {} failed, {} pending, {} running (of {}) in {}\n",
                           report.plan.study.name, c.done, c.failed, c.pending, c.running, c.total(),
                           report.plan.paths.storage_url);
  print_failures(report);
  if (report.interrupted) {
    std::cout << "interrupted: run the same command again to continue\n";
  } else {
    report_results(report, args);
  }
  return report.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a recipe's trials (re-running continues where it stopped)");
  cmd->add_option("recipe", args->recipe, "the study recipe (TOML)")->required();
  cmd->add_option("--out", args->out, "study folder: store, checkpoints, data cache, exports (default out/<study>)");
  cmd->add_option("--storage", args->storage, "study store URL (default <out>/study.db)");
  cmd->add_option("--workers", args->workers, "worker processes claiming trials concurrently")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--gpus", args->gpus, "GPU indices; worker i trains on cuda:<gpus[i % n]> (e.g. 0,1)")
      ->delimiter(',');
  cmd->add_flag("--retry-failed", args->retry_failed, "run the recipe's failed trials again");
  add_takeover_options(cmd, args->heartbeat_timeout_s, args->max_attempts);
  add_poll_option(cmd, args->poll_interval_s);
  cmd->add_flag("--no-export", args->no_export, "do not write CSV, LaTeX and figures at the end");
  add_device_memory_option(cmd, args->device_memory_gib);
  cmd->footer(
      "Files: <out>/study.db, <out>/checkpoints/<hash>.pt (+ .crc32, its checksum), <out>/data/<hash>/ (prepared "
      "corpora when the recipe leaves data.cache_dir empty), <out>/trials.csv, frontier.{csv,tex,pdf,svg,png}. "
      "Ctrl-C or SIGTERM stops within seconds: training checkpoints after its current step, an evaluation stops at "
      "its next batch, and unfinished trials resume on the next run.");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

struct CheckArgs {
  std::string recipe;
  std::optional<double> device_memory_gib;
  bool recipe_only = false;
};

void add_check_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check",
                                     "Validate a recipe; print its trials, axes, compute and memory estimates; check "
                                     "that its data and task files can be read and its trials fit this machine");
  cmd->add_option("recipe", args->recipe, "the study recipe (TOML)")->required();
  add_device_memory_option(cmd, args->device_memory_gib);
  cmd->add_flag("--recipe-only", args->recipe_only,
                "check the recipe alone, not this machine's data, task files and memory (a recipe for elsewhere)");
  cmd->callback([args, &action] {
    action = [args] {
      const study::recipe::Recipe recipe = study::recipe::load_recipe(args->recipe);
      std::cout << study::recipe::describe_recipe(recipe) << std::flush;
      if (!args->recipe_only) std::cout << preflight(recipe, args->device_memory_gib, 1, "");
      return kExitOk;
    };
  });
}

void add_reference_command(CLI::App& app, Action& action) {
  CLI::App* cmd =
      app.add_subcommand("reference",
                         "Print every recipe key and every routing regime, width sampler, width policy and model "
                         "family as Markdown (recipes/README.md embeds it)");
  cmd->callback([&action] {
    action = [] {
      std::cout << core::spec::reference_markdown();
      return kExitOk;
    };
  });
}

}  // namespace mose::app::cli

// mose-study: run and analyse Mixture-of-Slimmable-Experts studies from the command
// line. The program's one error edge: every error is caught here, printed once
// (mose::describe) and turned into the documented exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "base/errors.h"
#include "base/log.h"
#include "commands.h"
#include "progress_display.h"

namespace {

constexpr const char* kFooter =
    "Exit codes: 0 ok; 1 a trial failed or the operation failed; 2 usage error (bad flags or a bad "
    "recipe); 130 interrupted (Ctrl-C or SIGTERM: unfinished trials resume on the next run). A second Ctrl-C "
    "or SIGTERM ends at once with 130 or 143, leaving its trial to be taken over after the heartbeat timeout.";

void add_commands(CLI::App& app, mose::app::cli::Action& action) {
  using namespace mose::app::cli;
  add_run_command(app, action);
  add_check_command(app, action);
  add_reference_command(app, action);
  add_status_command(app, action);
  add_list_command(app, action);
  add_show_command(app, action);
  add_pareto_command(app, action);
  add_export_command(app, action);
  add_compare_command(app, action);
  add_gc_command(app, action);
  add_worker_command(app, action);
  add_migrate_command(app, action);
  add_slurm_command(app, action);
}

int run_action(const mose::app::cli::Action& action) {
  try {
    return action();
  } catch (const mose::UsageError& e) {
    mose::log::error("{}", mose::describe(e));
    return mose::app::cli::kExitUsage;
  } catch (const mose::RecipeError& e) {
    mose::log::error("{}", mose::describe(e));
    return mose::app::cli::kExitUsage;
  } catch (const std::exception& e) {
    mose::log::error("{}", mose::describe(e));
    return mose::app::cli::kExitFailed;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Timestamped log lines on stderr until a command installs its progress display.
  mose::log::set_sink([](mose::log::Level level, std::string_view message) {
    std::fprintf(stderr, "%s\n", mose::app::cli::timestamped(level, message).c_str());
  });
  CLI::App app{
      "mose-study: run Mixture-of-Slimmable-Experts studies from TOML recipes and analyse their "
      "compute/quality frontiers"};
  app.footer(kFooter);
  app.require_subcommand(1);
  mose::app::cli::Action action;
  add_commands(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, or the error and a hint
    return code == 0 ? mose::app::cli::kExitOk : mose::app::cli::kExitUsage;
  }
  return run_action(action);
}

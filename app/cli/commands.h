// The subcommands of mose-study. Each add_*_command registers one subcommand with its
// options; when the command line picks it, parsing stores the work to do in `action`,
// which main() runs inside its one error handler. Commands return the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>

namespace mose::app::cli {

// Exit codes (also listed in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // a trial failed, or the operation failed
inline constexpr int kExitUsage = 2;   // bad flags or a bad recipe
inline constexpr int kExitInterrupted = 130;

using Action = std::function<int()>;

void add_run_command(CLI::App& app, Action& action);  // commands_run.cpp
void add_check_command(CLI::App& app, Action& action);
void add_reference_command(CLI::App& app, Action& action);
void add_status_command(CLI::App& app, Action& action);  // commands_inspect.cpp
void add_list_command(CLI::App& app, Action& action);
void add_show_command(CLI::App& app, Action& action);
void add_pareto_command(CLI::App& app, Action& action);  // commands_analysis.cpp
void add_export_command(CLI::App& app, Action& action);
void add_compare_command(CLI::App& app, Action& action);
void add_gc_command(CLI::App& app, Action& action);
void add_worker_command(CLI::App& app, Action& action);  // commands_cluster.cpp
void add_migrate_command(CLI::App& app, Action& action);
void add_slurm_command(CLI::App& app, Action& action);

// Options of every command that claims trials (run, worker, slurm submit; claim_options.cpp):
// --heartbeat-timeout and --max-attempts (when a silent trial is taken over, and how often),
// and --poll-interval (how often a worker asks again while others hold the rest).
void add_takeover_options(CLI::App* cmd, double& heartbeat_timeout_s, std::int64_t& max_attempts);
void add_poll_option(CLI::App* cmd, double& poll_interval_s);

}  // namespace mose::app::cli

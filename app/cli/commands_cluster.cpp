// `mose-study worker`, `mose-study migrate` and `mose-study slurm submit`:
// running one study on many machines. Slurm schedules the workers, a shared
// store (PostgreSQL) hands out the trials, a shared filesystem holds the study
// folder; mose only writes the job script and runs the workers.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "base/log.h"
#include "commands.h"
#include "db/storage_url.h"
#include "db/study_copy.h"
#include "progress_display.h"
#include "slurm_script.h"
#include "study/analysis/analysis.h"
#include "study/recipe/recipe.h"
#include "study/recipe/recipe_preflight.h"
#include "study/runner/stop_signal.h"
#include "study/runner/study_plan.h"
#include "study/runner/worker.h"
#include "study_access.h"

namespace mose::app::cli {
namespace {

// ---------------------------------------------------------------- worker

struct WorkerArgs {
  std::string storage;
  std::string study;
  std::string out;
  std::string device;
  double heartbeat_timeout_s = 60.0;
  std::int64_t max_attempts = 3;
  double poll_interval_s = 5.0;
  int cpu_threads = 0;
};

// The study as its creator registered it: the recipe is read from the path
// stored with the study (on a cluster, a shared filesystem), and registering it
// again only finds the trials already there.
study::runner::StudyPlan worker_plan(const WorkerArgs& args) {
  StudyOptions options;
  options.storage = args.storage;
  const std::unique_ptr<db::Storage> storage = open_store(options, Access::kWrite);  // registers the trials
  const db::StudyRecord record = study::analysis::find_study(*storage, args.study);
  if (record.recipe_path.empty() || !std::filesystem::exists(record.recipe_path)) {
    throw UsageError(
        fmt::format("study '{}': its recipe {} is not readable on this machine; a worker runs the recipe the study was "
                    "created from, so keep it on a filesystem every node shares",
                    record.name, record.recipe_path.empty() ? "(none stored)" : record.recipe_path));
  }
  study::recipe::Recipe recipe = study::recipe::load_recipe(record.recipe_path);
  if (recipe.name != record.name) {
    throw UsageError(
        fmt::format("study '{}': its recipe {} now names study '{}'", record.name, record.recipe_path, recipe.name));
  }
  // This node's view of the data and task files, read before any trial is claimed: a
  // node without the corpus fails here, not in every trial it would claim.
  for (const std::string& line : study::recipe::check_inputs(recipe)) log::info("checked {}", line);
  log::info("worker {} on study '{}' in {}", study::runner::worker_id(0), record.name, storage->describe());
  return study::runner::register_study(*storage, std::move(recipe),
                                       study::recipe::study_paths(record.name, args.out, args.storage));
}

int run_worker_command(const WorkerArgs& args) {
  study::runner::install_stop_handlers();
  if (args.cpu_threads > 0) {
    log::info("--cpu-threads {} is ignored: each trial runs with its recipe's train.cpu_threads", args.cpu_threads);
  }
  const study::runner::StudyPlan plan = worker_plan(args);
  auto display = std::make_shared<ProgressDisplay>(false);
  const study::runner::WorkerOptions options{
      .index = 0,
      .device = args.device,
      .heartbeat_timeout_s = args.heartbeat_timeout_s,
      .max_attempts = args.max_attempts,
      .poll_interval_s = args.poll_interval_s,
      .progress = [display](const study::runner::TrialProgress& e) { display->show(e); }};
  const study::runner::WorkerReport report = study::runner::run_worker(plan, options);
  std::cout << fmt::format("worker {}: {} done, {} failed, {} handed back, {} taken over by others{}\n",
                           study::runner::worker_id(0), report.done, report.failed, report.released, report.lost,
                           report.stopped ? " (stopped on request)" : "");
  return report.exit_code();
}

// ---------------------------------------------------------------- migrate

struct MigrateArgs {
  std::string from;
  std::string to;
  std::string study;
};

int migrate(const MigrateArgs& args) {
  StudyOptions source;
  source.storage = args.from;
  const std::unique_ptr<db::Storage> from = open_store(source);
  const std::unique_ptr<db::Storage> to = db::open_storage(args.to);
  std::vector<std::string> names;
  if (!args.study.empty()) {
    names.push_back(args.study);
  } else {
    for (const db::StudyRecord& study : from->list_studies()) names.push_back(study.name);
  }
  if (names.empty()) throw UsageError(fmt::format("{} holds no study to copy", from->describe()));
  for (const std::string& name : names) {
    const db::CopyReport r = db::copy_study(*from, *to, name);
    std::cout << fmt::format(
        "copied study '{}' from {} to {}: {} trials, {} metrics, {} curve points, {} artifacts, {} environment "
        "entries; verified identical{}\n",
        name, from->describe(), to->describe(), r.trials, r.metrics, r.curve_points, r.artifacts, r.environment_entries,
        r.imported.ids_kept ? "" : " (with new trial ids: the target used the old ones)");
  }
  return kExitOk;
}

// ---------------------------------------------------------------- slurm submit

struct SubmitArgs {
  std::string recipe;
  std::string storage;
  std::string out;
  bool dry_run = false;
  SlurmJob job;
};

std::filesystem::path this_executable() { return std::filesystem::read_symlink("/proc/self/exe"); }

// Runs sbatch on the script and returns its job id ("--parsable" prints
// "<id>" or "<id>;<cluster>"). A store password goes to the job as PGPASSWORD in the
// environment sbatch passes on (its default, --export=ALL), never on a command line
// (ps shows those) nor into the script.
std::string sbatch(const std::filesystem::path& script, const std::optional<std::string>& password) {
  if (password) ::setenv("PGPASSWORD", password->c_str(), 1);
  const std::string command = "sbatch --parsable " + shell_quote(script.string()) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw IoError("cannot run sbatch: " + command);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  if (status != 0) {
    throw IoError(fmt::format("sbatch {} failed (status {}): {}", script.string(), status,
                              output.empty() ? "no output; is Slurm installed here?" : output));
  }
  return output.substr(0, output.find(';'));
}

// Says where the password of --storage went instead of the script, and when the
// job may not receive it.
void warn_about_password(const std::filesystem::path& file, const SlurmJob& job) {
  log::info(
      "the password in --storage is not written into {}: the workers get it as PGPASSWORD from sbatch's "
      "environment; to resubmit the file by hand, export PGPASSWORD first or keep the password in ~/.pgpass",
      file.string());
  for (const std::string& option : job.extra_sbatch) {
    if (option.starts_with("--export") && option != "--export=ALL" && option.find("ALL,") == std::string::npos) {
      log::warn("--sbatch {}: the job may not see PGPASSWORD; keep the store's password in ~/.pgpass on the nodes",
                option);
    }
  }
}

int submit(SubmitArgs args) {
  const study::recipe::Recipe recipe = study::recipe::load_recipe(args.recipe);
  const study::recipe::StudyPaths paths = study::recipe::study_paths(recipe.name, args.out, args.storage);
  SlurmJob& job = args.job;
  job.study = recipe.name;
  job.recipe = std::filesystem::absolute(recipe.path);
  job.out = std::filesystem::absolute(paths.out);
  // The jobs may start in another folder: a SQLite store is named by its absolute path.
  const db::StorageUrl store = db::parse_storage_url(paths.storage_url);
  job.storage_url = store.backend == db::Backend::kSqlite ? std::filesystem::absolute(store.location).string()
                                                          : db::url_without_password(paths.storage_url);
  const std::optional<std::string> password = db::url_password(paths.storage_url);
  job.mose_study = this_executable();
  const std::string script = slurm_script(job);
  if (args.dry_run) {
    std::cout << script;
    return kExitOk;
  }
  if (store.backend == db::Backend::kSqlite && job.workers > 1) {
    log::warn(
        "{} is a SQLite file: fine on one machine, but its locks are unreliable on network filesystems; "
        "give --storage postgresql://... when the workers run on several nodes",
        paths.storage_url);
  }
  // Read before submitting: a missing corpus or a bad task line shows here, not after the
  // job waited in the queue and every array task failed on it.
  for (const std::string& line : study::recipe::check_inputs(recipe)) log::info("checked {}", line);
  std::filesystem::create_directories(job.out / "slurm");
  {
    // Registered before submitting, so a recipe or store problem shows here, not in N job logs.
    const std::unique_ptr<db::Storage> storage = db::open_storage(paths.storage_url);
    const study::runner::StudyPlan plan = study::runner::register_study(*storage, recipe, paths);
    log::info("study '{}' in {}: {} trials, {} new", plan.study.name, storage->describe(), plan.by_id.size(),
              plan.added);
  }
  const std::filesystem::path file = job.out / "slurm" / (recipe.name + "-workers.sbatch");
  write_private_file_atomically(file, script);
  if (password) warn_about_password(file, job);
  const std::string job_id = sbatch(file, password);
  std::cout << fmt::format(
      "submitted Slurm job {} ({} workers) from {}\nlogs: {}\nprogress: {} status --storage {} "
      "--study {}\n",
      job_id, job.workers, file.string(), (job.out / "slurm").string(), job.mose_study.string(),
      shell_quote(job.storage_url), shell_quote(recipe.name));
  return kExitOk;
}

}  // namespace

void add_worker_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App* cmd = app.add_subcommand(
      "worker", "Claim and run a study's trials until none is left (start any number, on any machines)");
  cmd->add_option("--storage", args->storage, "the shared study store URL (e.g. postgresql://user@host/db)")
      ->required();
  cmd->add_option("--study", args->study, "the study's name (default: the store's only study)");
  cmd->add_option("--out", args->out,
                  "study folder for checkpoints and data, shared by all workers (default out/<study>)");
  cmd->add_option("--device", args->device, "train on this device instead of the recipe's (e.g. cuda:0)");
  add_takeover_options(cmd, args->heartbeat_timeout_s, args->max_attempts);
  add_poll_option(cmd, args->poll_interval_s);
  // Kept so that existing job scripts still parse; a trial's threads are its recipe's
  // train.cpu_threads, since a worker-chosen count would change its results.
  cmd->add_option("--cpu-threads", args->cpu_threads,
                  "ignored: each trial runs with its recipe's train.cpu_threads (default 1), part of its identity")
      ->check(CLI::NonNegativeNumber);
  cmd->footer(
      "Ctrl-C or SIGTERM (Slurm's time limit) hands the current trial back after its checkpoint (a second one "
      "exits at once). A lost connection to the store (a PostgreSQL restart) is reconnected with backoff for up to "
      "5 minutes per call.");
  cmd->callback([args, &action] { action = [args] { return run_worker_command(*args); }; });
}

void add_migrate_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<MigrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "migrate", "Copy studies between stores (SQLite <-> PostgreSQL), verified identical after copying");
  cmd->add_option("--from", args->from, "the store to copy from (URL or SQLite path)")->required();
  cmd->add_option("--to", args->to, "the store to copy into (created if it is a new SQLite file)")->required();
  cmd->add_option("--study", args->study, "only this study (default: every study in --from)");
  cmd->callback([args, &action] { action = [args] { return migrate(*args); }; });
}

void add_slurm_command(CLI::App& app, Action& action) {
  CLI::App* slurm = app.add_subcommand("slurm", "Run a study's workers as a Slurm job array");
  slurm->require_subcommand(1);
  auto args = std::make_shared<SubmitArgs>();
  CLI::App* cmd = slurm->add_subcommand("submit", "Register a recipe's trials and submit an sbatch array of workers");
  cmd->add_option("recipe", args->recipe, "the study recipe (TOML)")->required();
  cmd->add_option("--workers", args->job.workers, "array tasks, one worker each")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--storage", args->storage, "shared study store URL (default <out>/study.db; use postgresql://)");
  cmd->add_option("--out", args->out, "study folder on the shared filesystem (default out/<study>)");
  cmd->add_option("--partition", args->job.partition, "Slurm partition (default: the cluster's)");
  cmd->add_option("--gres", args->job.gres, "generic resources per worker, e.g. gpu:1 (binds one GPU each)");
  cmd->add_option("--time", args->job.time, "time limit per worker, e.g. 12:00:00");
  cmd->add_option("--cpus-per-task", args->job.cpus_per_task, "CPUs per worker")->check(CLI::PositiveNumber);
  cmd->add_option("--mem", args->job.mem, "memory per worker, e.g. 16G");
  cmd->add_option("--sbatch", args->job.extra_sbatch, "another #SBATCH option, verbatim (repeatable)");
  add_takeover_options(cmd, args->job.heartbeat_timeout_s, args->job.max_attempts);
  cmd->add_flag("--dry-run", args->dry_run, "print the sbatch script; register and submit nothing");
  cmd->footer(
      "Writes <out>/slurm/<study>-workers.sbatch (mode 0600) and submits it with sbatch; task logs go to "
      "<out>/slurm/<job>_<task>.log. The script never holds the store's password: the workers read it from "
      "PGPASSWORD (passed on through sbatch's environment) or from ~/.pgpass.");
  cmd->callback([args, &action] { action = [args] { return submit(*args); }; });
}

}  // namespace mose::app::cli

// The sbatch script `mose-study slurm submit` writes: a job array with one
// `mose-study worker` per array task, all claiming trials of one study from a
// shared store. Slurm schedules the tasks; the store hands each trial to
// exactly one worker; a task that dies has its trial reclaimed by another after
// the heartbeat timeout. Kept as plain, commented bash so that people can read
// it, edit it and resubmit it with sbatch themselves. It never holds the store's
// password (db::url_without_password): the workers' libpq reads it from PGPASSWORD or
// ~/.pgpass.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mose::app::cli {

struct SlurmJob {
  std::string study{};                 // the study's name
  std::filesystem::path recipe{};      // absolute, for the header comment
  std::string storage_url{};           // shared store (postgresql://...); its password is left out
  std::filesystem::path out{};         // absolute study folder on the shared filesystem
  std::filesystem::path mose_study{};  // absolute path of the mose-study executable
  int workers = 1;                     // array tasks
  std::string partition{};             // empty: the cluster's default
  std::string gres{};                  // e.g. "gpu:1"; empty: no generic resources
  std::string time{};                  // e.g. "12:00:00"; empty: the partition's default
  int cpus_per_task = 1;
  std::string mem{};  // e.g. "16G"; empty: the partition's default
  double heartbeat_timeout_s = 60.0;
  std::int64_t max_attempts = 3;
  std::vector<std::string> extra_sbatch{};  // more "#SBATCH" options, verbatim ("--account=lab")
};

// Whether `gres` asks for GPUs ("gpu", "gpu:2", "gpu:a100:1"); then each worker
// trains on cuda:0, the first device Slurm left visible to its task.
bool requests_gpus(const std::string& gres);

// The script's text. Throws UsageError naming the option when a value cannot be
// put into the script safely (a newline, or workers < 1).
std::string slurm_script(const SlurmJob& job);

// `text` quoted for bash: 'text', with each ' written as '\''.
std::string shell_quote(const std::string& text);

}  // namespace mose::app::cli

#include "slurm_script.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "db/storage_url.h"

namespace mose::app::cli {
namespace {

void check_one_line(const char* option, const std::string& value) {
  if (value.find_first_of("\n\r") != std::string::npos) {
    throw UsageError(fmt::format("{} '{}': a value in an sbatch script must be one line", option, value));
  }
}

void check(const SlurmJob& job) {
  if (job.workers < 1) throw UsageError(fmt::format("--workers {}: expected at least 1", job.workers));
  if (job.cpus_per_task < 1) {
    throw UsageError(fmt::format("--cpus-per-task {}: expected at least 1", job.cpus_per_task));
  }
  check_one_line("--study", job.study);
  check_one_line("--storage", job.storage_url);
  check_one_line("--partition", job.partition);
  check_one_line("--gres", job.gres);
  check_one_line("--time", job.time);
  check_one_line("--mem", job.mem);
  check_one_line("--out", job.out.string());
  for (const std::string& option : job.extra_sbatch) check_one_line("--sbatch", option);
}

std::string sbatch_options(const SlurmJob& job) {
  std::string out;
  const auto option = [&](const std::string& text) { out += "#SBATCH " + text + "\n"; };
  option("--job-name=mose-" + job.study);
  option(fmt::format("--array=0-{}", job.workers - 1));
  option("--ntasks=1");
  option(fmt::format("--cpus-per-task={}", job.cpus_per_task));
  if (!job.partition.empty()) option("--partition=" + job.partition);
  if (!job.gres.empty()) option("--gres=" + job.gres);
  if (!job.time.empty()) option("--time=" + job.time);
  if (!job.mem.empty()) option("--mem=" + job.mem);
  option("--output=" + (job.out / "slurm" / "%A_%a.log").string());
  for (const std::string& extra : job.extra_sbatch) option(extra);
  return out;
}

}  // namespace

bool requests_gpus(const std::string& gres) { return gres == "gpu" || gres.starts_with("gpu:"); }

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string slurm_script(const SlurmJob& job) {
  check(job);
  const bool gpus = requests_gpus(job.gres);
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# Workers for mose study '{}' (recipe {}), written by `mose-study slurm submit`.\n", job.study,
                   job.recipe.string());
  s += fmt::format(
      "# {} array tasks, one `mose-study worker` each: every worker claims trials from the shared store\n"
      "# until none is left, so the tasks may start in any order, on any nodes, at any time; a task that\n"
      "# dies has its trial taken over by another after {} s without a heartbeat. Resubmit this file\n"
      "# with `sbatch` to add workers; `mose-study status --storage URL --study NAME` shows the progress.\n",
      job.workers, job.heartbeat_timeout_s);
  s += sbatch_options(job);
  s += "\nset -euo pipefail\n\n";
  s += "# The shared study: the store every worker claims from, and the study folder (checkpoints,\n";
  s += "# data cache) on the shared filesystem. The store's password is never written here: libpq\n";
  s += "# reads it from PGPASSWORD (`slurm submit` passes it on through sbatch's environment; export\n";
  s += "# it before resubmitting this file) or from ~/.pgpass on the nodes.\n";
  s += "export MOSE_STORAGE=" + shell_quote(db::url_without_password(job.storage_url)) + "\n";
  s += "export MOSE_STUDY=" + shell_quote(job.study) + "\n";
  s += "export MOSE_OUT=" + shell_quote(job.out.string()) + "\n";
  s += "# One worker per task: torch uses the CPUs Slurm gave this task, no more.\n";
  s += "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n\n";
  std::string device_flag;
  if (gpus) {
    s += "# --gres binds GPUs: Slurm sets CUDA_VISIBLE_DEVICES to this task's GPU(s), so cuda:0 is the\n";
    s += "# first GPU of this task and never another task's.\n";
    s += "if [ -z \"${CUDA_VISIBLE_DEVICES:-}\" ]; then\n";
    s += "  echo \"task $SLURM_ARRAY_TASK_ID: Slurm set no CUDA_VISIBLE_DEVICES for --gres=" + job.gres + "\" >&2\n";
    s += "  exit 1\nfi\n";
    device_flag = " \\\n  --device cuda:0";
  }
  s += "echo \"mose worker: job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), "
       "CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-none}\"\n\n";
  s += fmt::format(
      "exec {} worker \\\n  --storage \"$MOSE_STORAGE\" --study \"$MOSE_STUDY\" --out \"$MOSE_OUT\"{} \\\n"
      "  --heartbeat-timeout {} --max-attempts {} --cpu-threads \"${{SLURM_CPUS_PER_TASK:-1}}\"\n",
      shell_quote(job.mose_study.string()), device_flag, job.heartbeat_timeout_s, job.max_attempts);
  return s;
}

}  // namespace mose::app::cli

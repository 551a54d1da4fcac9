// Running a study on a cluster through mose-study: the sbatch script that
// `slurm submit --dry-run` prints, `worker` processes sharing a PostgreSQL
// study, status/export against PostgreSQL, `migrate` to SQLite, and (when the
// Slurm daemons are installed) a real single-node Slurm running three workers
// as an array job.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "cli_test_support.h"
#include "db/storage.h"
#include "db/storage_backends.h"
#include "study/recipe/recipe.h"
#include "study/runner/study_plan.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::app::cli {
namespace {

using Catch::Matchers::Contains;
using study::testing::ScratchDir;
using testing::run_cli;

// Three seeds, each evaluated at three widths: 3 training + 9 evaluation trials.
constexpr const char* kSeedsAndWidths = R"(
[sweep]
"train.seed" = [1, 2, 3]

[[policy]]
name = "uniform"
widths = [0.25, 0.5, 1.0]
)";

void write_tiny_recipe(const ScratchDir& dir, const std::string& name) {
  study::testing::write_recipe(dir.path(), study::testing::tiny_recipe_text(name, dir.path(), 10, kSeedsAndWidths));
}

// Every trial of the store's only study is done, after exactly one attempt; returns them.
std::vector<db::TrialRecord> check_all_done_once(const std::string& url, std::size_t expected) {
  const auto storage = db::open_storage(url);
  const std::vector<db::TrialRecord> trials = storage->list_trials({});
  REQUIRE(trials.size() == expected);
  for (const db::TrialRecord& t : trials) {
    INFO("trial " << t.id << " worker " << t.worker << " error " << t.error);
    CHECK(t.status == db::TrialStatus::kDone);
    CHECK(t.attempts == 1);
  }
  return trials;
}

}  // namespace

TEST_CASE("slurm submit --dry-run prints a readable array script and registers nothing", "[app][cli][slurm]") {
  ScratchDir dir("cli_slurm_dry");
  write_tiny_recipe(dir, "drysweep");
  const auto dry =
      run_cli({"slurm", "submit", "recipe.toml", "--workers", "3", "--storage",
               "postgresql://mose:s3cret@db.lab/studies?password=s3cret", "--out", "shared/drysweep", "--partition",
               "gpu", "--gres", "gpu:1", "--time", "02:00:00", "--sbatch", "--account=lab", "--dry-run"},
              dir.path());
  INFO(dry.output);
  REQUIRE(dry.code == 0);
  const std::string out = (dir.path() / "shared" / "drysweep").string();
  CHECK_THAT(dry.output, Contains("#!/bin/bash\n# Workers for mose study 'drysweep'"));
  CHECK_THAT(dry.output, Contains("#SBATCH --job-name=mose-drysweep\n#SBATCH --array=0-2\n#SBATCH --ntasks=1\n"));
  CHECK_THAT(dry.output, Contains("#SBATCH --partition=gpu\n#SBATCH --gres=gpu:1\n#SBATCH --time=02:00:00\n"));
  CHECK_THAT(dry.output, Contains("#SBATCH --output=" + out + "/slurm/%A_%a.log\n#SBATCH --account=lab\n"));
  CHECK_THAT(dry.output, Contains("export MOSE_STORAGE='postgresql://mose@db.lab/studies'\n"
                                  "export MOSE_STUDY='drysweep'\nexport MOSE_OUT='" +
                                  out + "'\n"));
  CHECK_THAT(dry.output, !Contains("s3cret"));  // the password stays out of the script
  CHECK_THAT(dry.output, Contains("Slurm sets CUDA_VISIBLE_DEVICES to this task's GPU(s)"));
  CHECK_THAT(dry.output, Contains(" worker \\\n  --storage \"$MOSE_STORAGE\" --study \"$MOSE_STUDY\" --out "
                                  "\"$MOSE_OUT\" \\\n  --device cuda:0 \\\n"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "shared"));  // nothing written, nothing registered

  // Without --gres gpu the workers keep the recipe's device, and nothing checks for GPUs.
  const auto cpu = run_cli({"slurm", "submit", "recipe.toml", "--workers", "2", "--dry-run"}, dir.path());
  REQUIRE(cpu.code == 0);
  CHECK_THAT(cpu.output, Contains("#SBATCH --array=0-1\n"));
  CHECK_THAT(cpu.output, !Contains("--device") && !Contains("#SBATCH --gres"));
  CHECK_THAT(cpu.output, Contains("export MOSE_STORAGE='" + (dir.path() / "out" / "drysweep" / "study.db").string()));
  CHECK(run_cli({"slurm", "submit", "recipe.toml", "--dry-run"}, dir.path()).code == 2);  // --workers is required
  CHECK(run_cli({"slurm", "submit", "recipe.toml", "--workers", "0", "--dry-run"}, dir.path()).code == 2);
}

TEST_CASE("slurm submit and worker read the data and task files before they register, submit or claim anything",
          "[app][cli][slurm]") {
  ScratchDir dir("cli_slurm_inputs");
  std::ofstream(dir.path() / "bad.jsonl") << R"({"context": "a", "choices": [" b", " c"], "gold": 5})"
                                          << "\n";
  study::testing::write_recipe(
      dir.path(), study::testing::tiny_recipe_text("badtasks", dir.path(), 5, "tasks = [\"bad.jsonl\"]\n"));
  const auto submitted = run_cli({"slurm", "submit", "recipe.toml", "--workers", "2"}, dir.path());
  INFO(submitted.output);
  CHECK(submitted.code == 1);
  CHECK_THAT(submitted.output, Contains("bad.jsonl:1"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));  // no study, no script, no job

  // A worker reads them too, before it claims anything (registered as on another node
  // where the file was still good).
  const std::filesystem::path store = dir.path() / "study.db";
  {
    std::ofstream(dir.path() / "bad.jsonl") << R"({"context": "a", "choices": [" b", " c"], "gold": 0})"
                                            << "\n";
    const auto storage = db::open_storage(store.string());
    study::runner::register_study(*storage, study::recipe::load_recipe(dir.path() / "recipe.toml"),
                                  study::recipe::study_paths("badtasks", dir.path() / "shared", store.string()));
    std::ofstream(dir.path() / "bad.jsonl") << R"({"context": "a", "choices": [" b", " c"], "gold": 5})"
                                            << "\n";
  }
  const auto worker =
      run_cli({"worker", "--storage", store.string(), "--study", "badtasks", "--out", "shared"}, dir.path());
  INFO(worker.output);
  CHECK(worker.code == 1);
  CHECK_THAT(worker.output, Contains("bad.jsonl:1"));
  const auto counts = db::open_storage(store.string())->count_trials(std::nullopt);
  CHECK(counts.running + counts.done + counts.failed == 0);  // nothing claimed
}

TEST_CASE("three worker processes share a PostgreSQL study, and status, export and migrate read it",
          "[app][cli][workers][postgres]") {
  ScratchDir dir("cli_pg_workers");
  db::testing::PostgresBackend server;
  const std::string url = server.url("study");
  write_tiny_recipe(dir, "pgsweep");
  {
    const auto storage = db::open_storage(url);
    const study::runner::StudyPlan plan =
        study::runner::register_study(*storage, study::recipe::load_recipe(dir.path() / "recipe.toml"),
                                      study::recipe::study_paths("pgsweep", dir.path() / "shared", url));
    REQUIRE(plan.by_id.size() == 12);
  }
  std::vector<pid_t> workers;
  for (int w = 0; w < 3; ++w) {
    workers.push_back(testing::start_cli({"worker", "--storage", url, "--study", "pgsweep", "--out", "shared",
                                          "--poll-interval", "0.2", "--cpu-threads", "1"},
                                         dir.path(), dir.path() / ("worker" + std::to_string(w) + ".log")));
  }
  for (pid_t pid : workers) CHECK(testing::wait_cli(pid) == 0);
  const std::vector<db::TrialRecord> trials = check_all_done_once(url, 12);
  std::set<std::string> names;
  for (const db::TrialRecord& t : trials) names.insert(t.worker);
  CHECK(names.size() >= 2);  // the work was shared (three workers, twelve trials)

  const auto status = run_cli({"status", "--storage", url, "--out", "shared"}, dir.path());
  INFO(status.output);
  CHECK(status.code == 0);
  CHECK_THAT(status.output, Contains("study 'pgsweep'") && Contains("3 done"));
  const auto exported = run_cli({"export", "--storage", url, "--out", "shared", "--format", "csv"}, dir.path());
  CHECK(exported.code == 0);
  CHECK(std::filesystem::exists(dir.path() / "shared" / "trials.csv"));

  const auto migrated = run_cli({"migrate", "--from", url, "--to", "copy.db"}, dir.path());
  INFO(migrated.output);
  CHECK(migrated.code == 0);
  CHECK_THAT(migrated.output,
             Contains("copied study 'pgsweep'") && Contains("12 trials") && Contains("verified identical"));
  check_all_done_once((dir.path() / "copy.db").string(), 12);
  const auto again = run_cli({"migrate", "--from", url, "--to", "copy.db"}, dir.path());
  CHECK(again.code == 1);
  CHECK_THAT(again.output, Contains("study 'pgsweep' exists already"));
}

TEST_CASE("workers go on through PostgreSQL restarts, and every trial runs once", "[app][cli][workers][postgres]") {
  ScratchDir dir("cli_pg_restart");
  db::testing::PrivatePostgresServer server(dir.path() / "pg");
  const std::string url = server.database("restarts");
  study::testing::write_recipe(dir.path(), study::testing::tiny_recipe_text("pgrestart", dir.path(), 200,
                                                                            kSeedsAndWidths, "checkpoint_every = 20"));
  const pid_t pid = testing::start_cli({"run", "recipe.toml", "--storage", url, "--out", "shared", "--workers", "2",
                                        "--poll-interval", "0.2", "--no-export"},
                                       dir.path(), dir.path() / "run.log");
  // Restart once both workers are training, and again a little later.
  bool training = false;
  for (int i = 0; i < 1200 && !training; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    try {
      const auto storage = db::open_storage(url, {.reconnect_timeout_s = 0});
      int running = 0;
      for (const db::TrialRecord& t : storage->list_trials({.status = db::TrialStatus::kRunning})) {
        running += !storage->get_curves(t.id).empty();
      }
      training = running == 2;
    } catch (const std::exception&) {
      // the schema is still being created
    }
  }
  REQUIRE(training);
  server.restart();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  server.restart();
  const int code = testing::wait_cli(pid);
  std::stringstream log;
  log << std::ifstream(dir.path() / "run.log").rdbuf();
  INFO(log.str());
  CHECK(code == 0);
  CHECK_THAT(log.str(), Contains("reconnected"));
  check_all_done_once(url, 12);
}

// Starts the single-node cluster of scripts/slurm-test-cluster for the life of
// the object; `up` says whether it came up, `log` what it printed.
class SlurmCluster {
 public:
  explicit SlurmCluster(const std::filesystem::path& state) : state_(state) {
    const std::string script = std::string(MOSE_SOURCE_DIR) + "/scripts/slurm-test-cluster";
    const std::filesystem::path log = state.parent_path() / "slurm-start.log";
    up_ = std::system((script + " start " + state.string() + " >" + log.string() + " 2>&1").c_str()) == 0;
    std::stringstream text;
    text << std::ifstream(log).rdbuf();
    log_ = text.str();
    if (up_) ::setenv("SLURM_CONF", (state / "slurm.conf").c_str(), 1);
  }
  ~SlurmCluster() {
    const std::string script = std::string(MOSE_SOURCE_DIR) + "/scripts/slurm-test-cluster";
    [[maybe_unused]] const int ignored =
        std::system((script + " stop " + state_.string() + " >/dev/null 2>&1").c_str());
    ::unsetenv("SLURM_CONF");
  }
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  bool up() const { return up_; }
  const std::string& log() const { return log_; }

 private:
  std::filesystem::path state_;
  bool up_ = false;
  std::string log_;
};

bool slurm_installed() { return std::system("command -v slurmctld >/dev/null && command -v slurmd >/dev/null") == 0; }

TEST_CASE("a real single-node Slurm runs slurm submit's three workers to the end of the study",
          "[app][cli][slurm][postgres]") {
  if (!slurm_installed()) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true")
      FAIL("slurmctld/slurmd not installed (scripts/setup installs them)");
    WARN("skipped: Slurm (Debian slurmctld, slurmd) is not installed; scripts/setup installs it");
    return;
  }
  ScratchDir dir("cli_slurm_real");
  db::testing::PostgresBackend server;
  const std::string url = server.url("slurm");
  // The store is given as the role that must authenticate, with its password.
  const std::string secret = db::testing::PostgresBackend::kPasswordRolePassword;
  const std::string password_url = server.password_url("slurm");
  write_tiny_recipe(dir, "slurmsweep");
  const SlurmCluster cluster(dir.path() / "cluster");
  INFO(cluster.log());
  REQUIRE(cluster.up());

  const auto submitted = run_cli({"slurm", "submit", "recipe.toml", "--workers", "3", "--storage", password_url,
                                  "--out", "shared", "--cpus-per-task", "1", "--heartbeat-timeout", "30"},
                                 dir.path());
  INFO(submitted.output);
  REQUIRE(submitted.code == 0);
  CHECK_THAT(submitted.output, Contains("submitted Slurm job") && !Contains(secret));
  const std::filesystem::path script = dir.path() / "shared" / "slurm" / "slurmsweep-workers.sbatch";
  REQUIRE(std::filesystem::exists(script));
  // The script holds no password and only its owner can read it; the workers below still connect.
  std::stringstream script_text;
  script_text << std::ifstream(script).rdbuf();
  CHECK_THAT(script_text.str(), !Contains(secret) && Contains("export MOSE_STORAGE='postgresql://mose_password@"));
  CHECK((std::filesystem::status(script).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  // Wait for the study to end (every trial done or failed) and the array's tasks to leave the queue.
  const auto storage = db::open_storage(url);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(8);
  bool over = false;
  while (!over && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const db::StatusCounts counts = storage->count_trials(std::nullopt);
    over = counts.total() == 12 && counts.pending + counts.running == 0 &&
           std::system("test -z \"$(squeue -h -o %i)\"") == 0;
  }
  std::string logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "shared" / "slurm")) {
    if (entry.path().extension() == ".log") {
      std::stringstream text;
      text << std::ifstream(entry.path()).rdbuf();
      logs += "---- " + entry.path().filename().string() + "\n" + text.str();
    }
  }
  INFO(logs);
  REQUIRE(over);
  const std::vector<db::TrialRecord> trials = check_all_done_once(url, 12);
  std::map<std::string, int> by_task;
  for (const db::TrialRecord& t : trials) {
    const std::size_t slurm = t.worker.find(":slurm-");
    REQUIRE(slurm != std::string::npos);  // the worker name carries its Slurm job and array task
    ++by_task[t.worker.substr(slurm + 7)];
  }
  CHECK(by_task.size() >= 2);  // the three array tasks shared the work
  CHECK_THAT(logs,
             Contains("mose worker: job ") && Contains("worker ") && Contains(" done, 0 failed") && !Contains(secret));
}

}  // namespace mose::app::cli

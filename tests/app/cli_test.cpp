// mose-study as a user meets it: help, exit codes, recipe errors, the inspecting
// commands, several worker processes, and a run killed with SIGKILL mid-training that
// the next run takes over and resumes from its checkpoint.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "cli_test_support.h"
#include "db/db_test_support.h"
#include "db/storage.h"
#include "study/recipe/recipe.h"
#include "study/runner/study_plan.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::app::cli {
namespace {

using Catch::Matchers::Contains;
using study::testing::ScratchDir;
using testing::run_cli;

std::vector<db::TrialRecord> trials_of(const std::filesystem::path& db_path, db::TrialKind kind) {
  const auto storage = db::open_storage(db_path.string());
  return storage->list_trials({.kind = kind});
}

std::vector<std::string> folder_entries(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// The processes whose parent is `parent` (from /proc), zombies left out.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    // "pid (comm) state ppid ...": comm may hold spaces, so parse after its closing parenthesis.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z') children.push_back(std::stoi(name));
  }
  return children;
}

// Whether process `pid` still runs (a zombie has ended).
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) return false;
  return line[line.rfind(')') + 2] != 'Z';
}

}  // namespace

TEST_CASE("help, unknown commands and bad flags", "[app][cli]") {
  ScratchDir dir("cli_usage");
  const auto help = run_cli({"--help"}, dir.path());
  CHECK(help.code == 0);
  CHECK_THAT(help.output, Contains("Exit codes: 0 ok; 1 a trial failed") && Contains("compare"));
  const auto run_help = run_cli({"run", "--help"}, dir.path());
  CHECK(run_help.code == 0);
  CHECK_THAT(run_help.output, Contains("--workers") && Contains("--retry-failed"));
  CHECK(run_cli({"frobnicate"}, dir.path()).code == 2);
  CHECK(run_cli({}, dir.path()).code == 2);
  CHECK(run_cli({"run"}, dir.path()).code == 2);  // the recipe is required
  CHECK(run_cli({"run", "r.toml", "--workers", "0"}, dir.path()).code == 2);
  const auto no_store = run_cli({"status", "--out", "nowhere"}, dir.path());
  CHECK(no_store.code == 2);
  CHECK_THAT(no_store.output, Contains("no study store at nowhere/study.db"));
}

TEST_CASE("check validates a recipe: a bad one exits 2 with the recipe error", "[app][cli]") {
  ScratchDir dir("cli_check");
  study::testing::write_recipe(dir.path(), "[study]\nname = \"bad\"\n[model]\nn_layers = 2\n", "bad.toml");
  const auto bad = run_cli({"check", "bad.toml"}, dir.path());
  CHECK(bad.code == 2);
  CHECK_THAT(bad.output, Contains("recipe error: bad.toml:4:1: model.n_layers"));
  const auto missing = run_cli({"run", "missing.toml"}, dir.path());
  CHECK(missing.code == 2);
  CHECK_THAT(missing.output, Contains("missing.toml"));

  study::testing::write_recipe(dir.path(),
                               study::testing::tiny_recipe_text("ok", dir.path(), 5, study::testing::kModesAndWidths));
  const auto good = run_cli({"check", "recipe.toml"}, dir.path());
  CHECK(good.code == 0);
  CHECK_THAT(good.output, Contains("training trials: 2") && Contains("evaluation trials: 6"));
}

TEST_CASE("check and run refuse a trial that cannot fit its device, before anything trains", "[app][cli]") {
  ScratchDir dir("cli_memory");
  // Within every setting's bounds, but 2.15 TiB to train: more than this machine or a GPU has.
  study::testing::write_recipe(dir.path(),
                               "[study]\nname = \"huge\"\n[data]\ncache_dir = \"c\"\n[model]\nn_layer = 8\nn_head = "
                               "128\nd_model = 16384\nn_experts = 8\nd_ff = 65536\n[train]\ndevice = \"cpu\"\n",
                               "huge.toml");
  const auto check = run_cli({"check", "huge.toml"}, dir.path());
  CHECK(check.code == 2);
  CHECK_THAT(check.output, Contains("2.15 TiB  base\n") &&
                               Contains("recipe error: huge.toml: trial base: needs ~2.15 TiB to train on cpu (") &&
                               Contains("physical memory") && Contains("a smaller model or train.batch_size"));
  const auto run = run_cli({"run", "huge.toml", "--out", "out"}, dir.path());
  CHECK(run.code == 2);
  CHECK_THAT(run.output, Contains("needs ~2.15 TiB to train on cpu"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));  // refused before the study was created
  const auto gpus = run_cli({"run", "huge.toml", "--gpus", "0", "--device-memory", "141"}, dir.path());
  CHECK(gpus.code == 2);
  CHECK_THAT(gpus.output, Contains("to train on cuda (") && Contains("expected at most 141 GiB (--device-memory)"));

  study::testing::write_recipe(dir.path(),
                               study::testing::tiny_recipe_text("ok", dir.path(), 5, study::testing::kModesAndWidths));
  const auto fits = run_cli({"check", "recipe.toml"}, dir.path());
  CHECK(fits.code == 0);
  CHECK_THAT(fits.output, Contains("  fits: every training trial's memory estimate is within "));
  const auto small_device = run_cli({"check", "recipe.toml", "--device-memory", "0.001"}, dir.path());
  CHECK(small_device.code == 2);
  CHECK_THAT(small_device.output, Contains("expected at most 1.02 MiB (--device-memory)"));
}

TEST_CASE("check and run read the data and task files before anything trains", "[app][cli]") {
  ScratchDir dir("cli_inputs");
  std::ofstream(dir.path() / "bad.jsonl") << R"({"context": "a", "choices": [" b", " c"], "gold": 0})"
                                          << "\n"
                                          << R"({"context": "a", "choices": [" b", " c"], "gold": 5})"
                                          << "\n";
  study::testing::write_recipe(dir.path(),
                               study::testing::tiny_recipe_text("inputs", dir.path(), 5, "tasks = [\"bad.jsonl\"]\n"));
  const auto check = run_cli({"check", "recipe.toml"}, dir.path());
  CHECK(check.code == 1);
  CHECK_THAT(check.output, Contains("data error: bad.jsonl:2: \"gold\" missing or not an index in [0, 2)"));
  CHECK(run_cli({"check", "recipe.toml", "--recipe-only"}, dir.path()).code == 0);
  const auto run = run_cli({"run", "recipe.toml", "--out", "out"}, dir.path());
  CHECK(run.code == 1);
  CHECK_THAT(run.output, Contains("data error: bad.jsonl:2:"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));  // found before the study was created

  study::testing::write_recipe(
      dir.path(), "[study]\nname = \"m\"\n[data]\nsources = [\"missing.txt\"]\ncache_dir = \"c\"\n", "missing.toml");
  const auto missing = run_cli({"check", "missing.toml"}, dir.path());
  CHECK(missing.code != 0);
  CHECK_THAT(missing.output, Contains("missing.txt"));
}

TEST_CASE("reading commands never change a store: an empty file is refused, a frozen study folder is read",
          "[app][cli][read_only]") {
  ScratchDir dir("cli_read_only");
  std::ofstream{dir.path() / "empty.db"};
  for (const char* command : {"status", "list", "pareto"}) {
    const auto empty = run_cli({command, "--storage", "empty.db"}, dir.path());
    INFO(command << ": " << empty.output);
    CHECK(empty.code == 1);
    CHECK_THAT(empty.output, Contains("empty.db is not a mose study store"));
  }
  CHECK(std::filesystem::file_size(dir.path() / "empty.db") == 0);

  // A registered study (nothing run), then its folder made immutable, as on a read-only filesystem.
  study::testing::write_recipe(
      dir.path(), study::testing::tiny_recipe_text("frozen", dir.path(), 5, study::testing::kModesAndWidths));
  const std::filesystem::path out = dir.path() / "out";
  std::filesystem::create_directories(out);
  {
    const auto storage = db::open_storage((out / "study.db").string());
    study::runner::register_study(*storage, study::recipe::load_recipe(dir.path() / "recipe.toml"),
                                  study::recipe::study_paths("frozen", out, (out / "study.db").string()));
  }
  REQUIRE(folder_entries(out) == std::vector<std::string>{"study.db"});
  const db::testing::ImmutableFolder frozen(out);
  if (!frozen.applied()) {
    WARN(MOSE_TEST_SKIP_MARKER << ": chattr +i is not available here (needs root on ext4 or similar)");
    return;
  }
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{{"status", "--out", "out"},
                                                                                       {"list", "--out", "out"},
                                                                                       {"pareto", "--out", "out"},
                                                                                       {"show", "1", "--out", "out"}}) {
    const auto read = run_cli(command, dir.path());
    INFO(command[0] << ": " << read.output);
    CHECK(read.code == 0);
  }
  CHECK_THAT(run_cli({"status", "--out", "out"}, dir.path()).output,
             Contains("study 'frozen'") && Contains("(6 in all)"));
  CHECK(folder_entries(out) == std::vector<std::string>{"study.db"});
}

TEST_CASE("three worker processes run a 12-trial study, each trial exactly once", "[app][cli][workers]") {
  ScratchDir dir("cli_workers");
  study::testing::write_recipe(dir.path(), study::testing::tiny_recipe_text("workers", dir.path(), 10, R"(
[sweep]
"train.seed" = [1, 2, 3]

[[policy]]
name = "uniform"
widths = [0.25, 0.5, 1.0]
)"));
  const auto run = run_cli({"run", "recipe.toml", "--out", "out", "--workers", "3", "--no-export"}, dir.path());
  INFO(run.output);
  REQUIRE(run.code == 0);
  const auto storage = db::open_storage((dir.path() / "out" / "study.db").string());
  const std::vector<db::TrialRecord> trials = storage->list_trials({});
  REQUIRE(trials.size() == 12);
  std::set<std::string> workers;
  for (const db::TrialRecord& t : trials) {
    CHECK(t.status == db::TrialStatus::kDone);
    CHECK(t.attempts == 1);
    workers.insert(t.worker);
  }
  CHECK(workers.size() >= 2);

  // The inspecting commands on the finished study.
  CHECK_THAT(run_cli({"status", "--out", "out"}, dir.path()).output, Contains("train.seed = 2: 4 / 4"));
  const auto list = run_cli({"list", "--out", "out", "--kind", "eval", "--status", "done"}, dir.path());
  CHECK(list.code == 0);
  CHECK_THAT(list.output, Contains("train|topk|uniform") && Contains("train.seed=3 / policy=uniform,width=0.5"));
  CHECK(run_cli({"list", "--out", "out", "--status", "finished"}, dir.path()).code == 2);
  const auto show = run_cli({"show", "1", "--out", "out"}, dir.path());
  CHECK_THAT(show.output, Contains("model.router.type = topk") && Contains("crc32:") && Contains("torch = "));
  const auto pareto = run_cli({"pareto", "--out", "out"}, dir.path());
  CHECK(pareto.code == 0);
  CHECK_THAT(pareto.output, Contains("hypervolume") && Contains("train|topk|uniform: "));
  const auto exported = run_cli({"export", "--out", "out", "--format", "csv,tex"}, dir.path());
  CHECK(exported.code == 0);
  CHECK(std::filesystem::exists(dir.path() / "out" / "trials.csv"));
  CHECK(std::filesystem::exists(dir.path() / "out" / "frontier.tex"));
  CHECK(run_cli({"export", "--out", "out", "--format", "csv,gif"}, dir.path()).code == 2);
  CHECK(run_cli({"gc", "--out", "out", "--dry-run"}, dir.path()).code == 0);
}

TEST_CASE("kill -9 of a run takes its worker processes with it, and they hand their trials back",
          "[app][cli][workers]") {
  ScratchDir dir("cli_orphans");
  // Long enough that orphaned workers would still be training long after the checks below.
  study::testing::write_recipe(dir.path(), study::testing::tiny_recipe_text("orphans", dir.path(), 20000, R"(
[sweep]
"train.seed" = [1, 2]

[[policy]]
name = "uniform"
widths = [1.0]
)",
                                                                            "checkpoint_every = 100"));
  const std::filesystem::path db_path = dir.path() / "out" / "study.db";
  const pid_t pid = testing::start_cli({"run", "recipe.toml", "--out", "out", "--workers", "2", "--no-export"},
                                       dir.path(), dir.path() / "run.log");
  // Both workers training: both training trials running with curve points.
  std::vector<pid_t> workers;
  for (int i = 0; i < 1200 && workers.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(db_path)) continue;
    int training = 0;
    for (const db::TrialRecord& t : trials_of(db_path, db::TrialKind::kTrain)) {
      training +=
          t.status == db::TrialStatus::kRunning && !db::open_storage(db_path.string())->get_curves(t.id).empty();
    }
    if (training == 2) workers = children_of(pid);
  }
  REQUIRE(workers.size() == 2);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  CHECK(testing::wait_cli(pid) == 128 + SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline && std::any_of(workers.begin(), workers.end(), alive)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const bool orphans = std::any_of(workers.begin(), workers.end(), alive);
  for (const pid_t worker : workers) ::kill(worker, SIGKILL);  // leave nothing running, whatever the outcome
  REQUIRE_FALSE(orphans);
  // Each worker stopped as on SIGTERM: it checkpointed and handed its trial back.
  for (const db::TrialRecord& t : trials_of(db_path, db::TrialKind::kTrain)) {
    CHECK(t.status == db::TrialStatus::kPending);
    CHECK(t.attempts == 1);
  }
  CHECK(std::filesystem::exists(dir.path() / "out" / "checkpoints"));
}

TEST_CASE("a run killed mid-training is taken over and resumed from its checkpoint", "[app][cli][resume]") {
  ScratchDir dir("cli_resume");
  study::testing::write_recipe(dir.path(), study::testing::tiny_recipe_text("resume", dir.path(), 150, R"(
[sweep]
"train.seed" = [1, 2]

[[policy]]
name = "uniform"
widths = [1.0]
)",
                                                                            "checkpoint_every = 2"));
  const std::filesystem::path db_path = dir.path() / "out" / "study.db";
  const pid_t pid = testing::start_cli({"run", "recipe.toml", "--out", "out"}, dir.path(), dir.path() / "first.log");
  // Kill once the second training trial has logged step 6 (so step 4's checkpoint exists).
  bool killed = false;
  for (int i = 0; i < 1200 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(db_path)) continue;
    const auto training = trials_of(db_path, db::TrialKind::kTrain);
    if (training.size() < 2 || training[1].status != db::TrialStatus::kRunning) continue;
    const auto curves = db::open_storage(db_path.string())->get_curves(training[1].id);
    const bool far_enough = std::any_of(curves.begin(), curves.end(), [](const auto& p) { return p.step >= 6; });
    if (far_enough) killed = ::kill(pid, SIGKILL) == 0;
  }
  REQUIRE(killed);
  CHECK(testing::wait_cli(pid) == 128 + SIGKILL);
  const auto before = trials_of(db_path, db::TrialKind::kTrain);
  REQUIRE(before[0].status == db::TrialStatus::kDone);
  REQUIRE(before[1].status == db::TrialStatus::kRunning);
  // status tells the dead worker's trial from a busy one once the heartbeat timeout passed.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto status = run_cli({"status", "--out", "out", "--heartbeat-timeout", "1"}, dir.path());
  CHECK_THAT(status.output, Contains("running (no heartbeat for ") &&
                                Contains("trial " + std::to_string(before[1].id) + " (") &&
                                Contains("its worker is presumed gone"));

  const auto rerun =
      run_cli({"run", "recipe.toml", "--out", "out", "--heartbeat-timeout", "1", "--no-export"}, dir.path());
  INFO(rerun.output);
  REQUIRE(rerun.code == 0);
  const auto storage = db::open_storage(db_path.string());
  const auto after = storage->list_trials({});
  REQUIRE(after.size() == 4);
  for (const db::TrialRecord& t : after) CHECK(t.status == db::TrialStatus::kDone);
  CHECK(after[0].attempts == 1);
  CHECK(after[0].finished == before[0].finished);  // the finished trial was not repeated
  CHECK(after[1].attempts == 2);                   // reclaimed from the dead worker
  double resumed_from = 0;
  for (const db::MetricRecord& m : storage->get_metrics({after[1].id})) {
    if (m.name == "resumed_from_step") resumed_from = m.value;
  }
  CHECK(resumed_from >= 4);
  CHECK_THAT(rerun.output, Contains("reclaimed trial " + std::to_string(after[1].id)));
}

TEST_CASE("SIGINT stops every worker process cleanly and the next run resumes at once", "[app][cli][resume]") {
  ScratchDir dir("cli_sigint");
  study::testing::write_recipe(dir.path(), study::testing::tiny_recipe_text("sigint", dir.path(), 300, R"(
[sweep]
"train.seed" = [1, 2]

[[policy]]
name = "uniform"
widths = [1.0]
)",
                                                                            "checkpoint_every = 50"));
  const std::filesystem::path db_path = dir.path() / "out" / "study.db";
  const pid_t pid = testing::start_cli({"run", "recipe.toml", "--out", "out", "--workers", "2"}, dir.path(),
                                       dir.path() / "first.log");
  bool training = false;
  for (int i = 0; i < 1200 && !training; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(db_path)) continue;
    for (const db::TrialRecord& t : trials_of(db_path, db::TrialKind::kTrain)) {
      training |=
          t.status == db::TrialStatus::kRunning && !db::open_storage(db_path.string())->get_curves(t.id).empty();
    }
  }
  REQUIRE(training);
  ::kill(pid, SIGINT);  // the parent only: it passes the stop on to its workers
  CHECK(testing::wait_cli(pid) == 130);
  const auto stopped = trials_of(db_path, db::TrialKind::kTrain);
  CHECK(std::none_of(stopped.begin(), stopped.end(),
                     [](const db::TrialRecord& t) { return t.status == db::TrialStatus::kRunning; }));
  CHECK(std::any_of(stopped.begin(), stopped.end(),
                    [](const db::TrialRecord& t) { return t.status == db::TrialStatus::kPending && t.attempts == 1; }));

  // Released trials are pending, so no heartbeat timeout (60 s by default) is waited out.
  const auto start = std::chrono::steady_clock::now();
  const auto rerun = run_cli({"run", "recipe.toml", "--out", "out", "--no-export"}, dir.path());
  INFO(rerun.output);
  CHECK(rerun.code == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(45));
  CHECK_THAT(rerun.output, Contains("resumed"));
}

}  // namespace mose::app::cli

// The same recipe gives the same numbers whatever `--workers` is: each trial runs with
// its recipe's train.cpu_threads, not with the machine's cores shared among workers.
// The runs are given OMP_NUM_THREADS=2, which torch would otherwise use in a
// single-worker run while each of two workers took one core: for this model (64 wide,
// batches of 16 x 64 tokens) the two thread counts give losses that differ in the fifth
// digit.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>

#include "cli_test_support.h"
#include "db/storage.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::app::cli {
namespace {

using study::testing::ScratchDir;
using testing::run_cli;

constexpr const char* kRecipe = R"(
[study]
name = "threads"

[data]
max_bytes = 300000
cache_dir = "cache"

[model]
n_layer = 2
n_head = 4
d_model = 64
seq_len = 64
n_experts = 4
d_ff = 256
dense_d_ff = 256

[train]
steps = 20
batch_size = 16
log_every = 5
device = "cpu"

[train.optim]
warmup_steps = 5

[eval]
tokens = 16384
batch_size = 32

[sweep]
"train.seed" = [1, 2]

[[policy]]
name = "uniform"
widths = [0.5, 1.0]
)";

// Sets an environment variable for this scope (the CLI children inherit it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.empty()) {
      ::unsetenv(name_);
    } else {
      ::setenv(name_, old_.c_str(), 1);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
};

// The loss of every done trial, by config hash: train_loss of a training trial (the last
// logged step's), val_loss of an evaluation trial.
std::map<std::string, double> val_losses(const std::filesystem::path& db_path) {
  const auto storage = db::open_storage(db_path.string());
  std::map<std::string, double> out;
  for (const db::TrialRecord& trial : storage->list_trials({})) {
    const char* loss = trial.kind == db::TrialKind::kTrain ? "train_loss" : "val_loss";
    for (const db::MetricRecord& metric : storage->get_metrics({trial.id})) {
      if (metric.name == loss) out[trial.config_hash] = metric.value;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("results are identical with one and with two workers", "[app][cli][workers]") {
  ScratchDir dir("cli_threads");
  study::testing::write_recipe(dir.path(), kRecipe);
  const ScopedEnv threads("OMP_NUM_THREADS", "2");
  const auto one = run_cli({"run", "recipe.toml", "--out", "one", "--workers", "1", "--no-export"}, dir.path());
  INFO(one.output);
  REQUIRE(one.code == 0);
  const auto two = run_cli({"run", "recipe.toml", "--out", "two", "--workers", "2", "--no-export"}, dir.path());
  INFO(two.output);
  REQUIRE(two.code == 0);

  const std::map<std::string, double> a = val_losses(dir.path() / "one" / "study.db");
  const std::map<std::string, double> b = val_losses(dir.path() / "two" / "study.db");
  REQUIRE(a.size() == 6);  // 2 training + 4 evaluation trials
  REQUIRE(b.size() == a.size());
  for (const auto& [hash, loss] : a) {
    INFO("trial " << hash);
    CHECK(std::isfinite(loss));
    CHECK(b.at(hash) == loss);  // bit-identical, not approximately equal
  }
  // Every trial records the thread count it ran with.
  const auto show = run_cli({"show", "1", "--out", "two"}, dir.path());
  CHECK_THAT(show.output, Catch::Matchers::Contains("cpu_threads = 1"));
}

}  // namespace mose::app::cli

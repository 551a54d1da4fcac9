// The engine end to end on the default corpus (a prefix of GCIDE, byte-level): a small
// MoSE model learns well below the unigram baseline; after multi-width training every
// width beats the untrained model, and full width matches standard MoE trained alike.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

#include "core/data/batch_sampler.h"
#include "core/data/dataset.h"
#include "core/eval/evaluate.h"
#include "core/model/gpt.h"
#include "core/spec/engine.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using namespace mose::core::eval;

namespace {

RunConfig small_run(const std::filesystem::path& dir) {
  RunConfig c = testing::gcide_run(dir, 3'000'000);
  c.model.n_head = 4;
  c.model.d_model = 64;
  c.model.seq_len = 64;
  c.model.d_ff = 256;
  c.train.steps = 300;
  c.train.batch_size = 16;
  c.train.log_every = 100;
  c.train.optim.lr = 3e-3;
  c.train.optim.warmup_steps = 30;
  c.eval.tokens = 32768;
  c.eval.batch_size = 32;
  return c;
}

double untrained_loss(const RunConfig& c) {
  data::Dataset dataset = data::Dataset::open(c.data);
  ModelConfig m = c.model;
  m.vocab_size = dataset.vocab_size();
  Gpt model(m, c.train.seed);
  const int64_t count = data::validation_window_count(dataset.val(), m.seq_len, c.eval.tokens);
  auto ids = data::validation_batch(dataset.val(), m.seq_len, 0, static_cast<int>(count));
  at::Tensor windows = at::from_blob(ids.data(), {count, m.seq_len + 1}, at::kInt).to(at::kLong);
  return evaluate_lm(model, windows, UniformWidth(1.0), c.eval.batch_size).lm_loss;
}

}  // namespace

TEST_CASE("MoSE trains on the default corpus and every width beats the untrained model", "[core][training][slow]") {
  testing::TempDir dir;
  RunConfig moe = small_run(dir.path());
  moe.train.width.widths = {1.0};
  moe.train.checkpoint_path = (dir.path() / "moe.pt").string();
  RunConfig mose = small_run(dir.path());
  mose.train.width.widths = {0.25, 0.5, 0.75, 1.0};
  mose.train.width.sampler = "sandwich";
  mose.train.width.options.set("train.width.sandwich_random", 1);
  mose.train.checkpoint_path = (dir.path() / "mose.pt").string();

  const double unigram = unigram_baseline_loss(mose);
  const double untrained = untrained_loss(mose);
  TrainSummary moe_run = train_run(moe);
  TrainSummary mose_run = train_run(mose);
  REQUIRE(moe_run.outcome.steps_done == 300);
  REQUIRE(mose_run.outcome.steps_done == 300);

  const double moe_loss = evaluate_run(moe, moe.train.checkpoint_path, {"uniform", 1.0}).lm_loss;
  std::vector<double> mose_loss;
  for (double w : mose.train.width.widths) {
    mose_loss.push_back(evaluate_run(mose, mose.train.checkpoint_path, {"uniform", w}).lm_loss);
  }
  INFO("unigram " << unigram << ", untrained " << untrained << ", moe " << moe_loss << ", mose@0.25 " << mose_loss[0]
                  << ", mose@1 " << mose_loss.back());
  CHECK(untrained == Approx(std::log(256.0)).epsilon(0.05));
  CHECK(moe_loss < 0.8 * unigram);  // well below the unigram baseline
  CHECK(mose_loss.back() < 0.8 * unigram);
  for (double loss : mose_loss) CHECK(loss < untrained - 1.0);
  CHECK(mose_loss.back() < 1.03 * moe_loss);  // full width within a few percent of standard MoE
  for (size_t i = 1; i < mose_loss.size(); ++i) CHECK(mose_loss[i] <= mose_loss[i - 1] + 0.01);  // wider is no worse
}

// Training on the GPU: the fused optimizer, the clipping and the chunked LM-head loss agree
// with their plain versions on CUDA, and a whole training step (batch copy, sandwich passes, backward, clipping, AdamW)
// queues without one host synchronisation. GPU machines only: skipped without CUDA.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/model/lm_head_loss.h"
#include "core/train/fused_adamw.h"
#include "core/train/grad_clip.h"
#include "core/train/trainer.h"
#include "test_support.h"

#ifdef MOSE_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;

TEST_CASE("FusedAdamW and clip_grad_norm on CUDA match LibTorch's per-parameter versions", "[core][optimizer][cuda]") {
  if (!testing::cuda_available_or_skip("GPU training test")) return;
  auto gen = at::detail::createCPUGenerator(9);
  std::vector<at::Tensor> want, got;
  for (int64_t n : {4096, 333, 1}) {
    at::Tensor p = at::randn({n}, gen);
    want.push_back(p.clone().set_requires_grad(true));
    got.push_back(p.cuda().set_requires_grad(true));
  }
  auto options = torch::optim::AdamWOptions(1e-2).weight_decay(0.1);
  torch::optim::AdamW want_optimizer(want, options);
  FusedAdamW got_optimizer(std::vector<torch::optim::OptimizerParamGroup>{torch::optim::OptimizerParamGroup(got)},
                           options);
  for (int step = 0; step < 4; ++step) {
    for (size_t i = 0; i < want.size(); ++i) {
      at::Tensor g = at::randn(want[i].sizes(), gen) * 3;
      want[i].mutable_grad() = g;
      got[i].mutable_grad() = g.cuda();
    }
    const double want_norm = torch::nn::utils::clip_grad_norm_(want, 1.0);
    at::Tensor got_norm = clip_grad_norm(got, 1.0);
    CHECK(got_norm.is_cuda());
    CHECK(got_norm.item<double>() == Approx(want_norm).epsilon(1e-5));
    want_optimizer.step();
    got_optimizer.step();
  }
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("parameter " << i);
    at::Tensor diff = (got[i].detach().cpu() - want[i].detach()).abs() / (want[i].detach().abs() + 1e-6);
    CHECK(diff.max().item<double>() < 1e-5);
  }
}

TEST_CASE("a training step on CUDA makes no host synchronisation", "[core][optimizer][cuda]") {
  if (!testing::cuda_available_or_skip("GPU training test")) return;
#ifdef MOSE_WITH_CUDA
  ModelConfig m = testing::tiny_model();
  m.d_model = 64, m.d_ff = 256, m.dense_d_ff = 256;  // rows 16-byte aligned at every sandwich width
  TrainConfig t;
  t.steps = 3;
  t.log_every = 3;  // the only read of the losses is after step 3
  t.batch_size = 4;
  t.grad_accum = 2;
  t.device = "cuda";
  t.width.sampler = "sandwich";
  Trainer trainer(m, t, testing::synthetic_batches(4, m.seq_len, m.vocab_size), "sync-test");
  // Step 1 warms up (allocations, library handles); step 2 runs under sync-debug "error",
  // so any synchronising call in it throws out of run().
  int polls = 0;
  TrainHooks hooks;
  hooks.stop_requested = [&] {
    ++polls;
    c10::cuda::warning_state().set_sync_debug_mode(polls == 1 ? c10::cuda::SyncDebugMode::L_ERROR
                                                              : c10::cuda::SyncDebugMode::L_DISABLED);
    return false;
  };
  TrainOutcome outcome;
  CHECK_NOTHROW(outcome = trainer.run(hooks));
  c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_DISABLED);
  CHECK(outcome.steps_done == 3);
  CHECK(std::isfinite(outcome.final_lm_loss));
#endif
}

TEST_CASE("lm_head_loss on CUDA under bf16 autocast matches the fp32 CPU loss", "[core][loss][cuda]") {
  if (!testing::cuda_available_or_skip("GPU training test")) return;
  auto gen = at::detail::createCPUGenerator(12);
  const int64_t n = 3000, d = 64, vocab = 5000;
  const at::Tensor hidden0 = at::randn({n, d}, gen), weight0 = at::randn({vocab, d}, gen) * 0.05;
  const at::Tensor targets = at::randint(vocab, {n}, gen, at::kLong);
  at::Tensor h = hidden0.clone().set_requires_grad(true), w = weight0.clone().set_requires_grad(true);
  at::Tensor want = lm_head_loss(h, w, targets);
  want.backward();
  at::Tensor hg = hidden0.cuda().set_requires_grad(true), wg = weight0.cuda().set_requires_grad(true);
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, true);
  at::Tensor got = lm_head_loss(hg, wg, targets.cuda(), /*chunk_rows=*/700);  // partial last chunk
  at::autocast::set_autocast_enabled(at::kCUDA, false);
  got.backward();
  CHECK(got.scalar_type() == at::kFloat);
  CHECK(got.item<double>() == Approx(want.item<double>()).epsilon(1e-2));
  CHECK(hg.grad().scalar_type() == at::kFloat);
  CHECK(testing::relative_error(hg.grad(), h.grad()) < 2e-2);
  CHECK(testing::relative_error(wg.grad(), w.grad()) < 2e-2);
}

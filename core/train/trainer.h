// The training loop: AdamW with warmup + decay, gradient accumulation and clipping,
// multi-width passes per micro-batch (sum of their losses, router aux losses included),
// optional in-place distillation, bf16 autocast on CUDA, checkpoint and bit-identical
// resume. Data-agnostic: batches come from a function of (step, micro-batch).
//
// On a GPU a step makes no host synchronisation: batches are copied from pinned memory,
// the optimizer and the clipping are multi-tensor kernels, and the step's losses stay on
// the device until run() logs them, so the host queues the next step while this one runs.
#pragma once

#include <torch/optim/adamw.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/model/language_model.h"
#include "core/spec/config.h"
#include "core/spec/train_log.h"
#include "core/train/width_sampler.h"

namespace mose::core::train {

// [batch, seq_len + 1] int64 tokens on the CPU; inputs are [:, :-1], targets [:, 1:].
using BatchFn = std::function<at::Tensor(int64_t step, int micro)>;

// One step's losses and gradient norm, still on the device, and what the host knows.
struct PendingStepLog {
  spec::TrainStepLog log;                // step, tokens and lr; the rest comes from resolve()
  std::vector<at::Tensor> pass_scalars;  // [ce, aux, balance, z] fp32 per (micro-batch, pass)
  std::vector<size_t> pass_index;        // the pass of each entry of pass_scalars
  std::vector<std::string> pass_labels;  // and its label
  at::Tensor grad_norm;                  // before clipping
};

class Trainer {
 public:
  // Resumes from train.checkpoint_path when that file exists (its fingerprint must match).
  Trainer(const spec::ModelConfig& model, const spec::TrainConfig& train, BatchFn next_batch, std::string fingerprint);
  ~Trainer();

  spec::TrainOutcome run(const spec::TrainHooks& hooks = {});
  void save(const std::string& path);

  model::LanguageModel& model() { return *model_; }
  c10::Device device() const { return device_; }
  int64_t next_step() const { return next_step_; }

 private:
  // Queues one optimizer step on the device; resolve() waits for it and reads its losses.
  PendingStepLog queue_step(int64_t step);
  void queue_micro_batch(const at::Tensor& batch, uint64_t pass_seed, PendingStepLog& pending);
  spec::TrainStepLog resolve(const PendingStepLog& pending) const;

  spec::ModelConfig model_config_;
  spec::TrainConfig config_;
  BatchFn next_batch_;
  std::string fingerprint_;
  c10::Device device_;
  std::shared_ptr<model::LanguageModel> model_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  WidthSampler sampler_;
  int64_t next_step_ = 0;
  int64_t tokens_seen_ = 0;
  double trained_seconds_ = 0;  // training time of the next_step_ steps done (CheckpointState::train_seconds)
};

}  // namespace mose::core::train

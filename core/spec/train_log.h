// What training reports while it runs and when it ends. Torch-free, so the study
// layer and the CLI can consume it without LibTorch headers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mose::core::spec {

struct TrainStepLog {
  int64_t step = 0;         // optimizer steps completed
  int64_t tokens = 0;       // training tokens seen (per pass, not counting repeats over widths)
  double lm_loss = 0;       // LM loss of the widest pass, mean over micro-batches
  double aux_loss = 0;      // weighted router losses of the widest pass
  double balance_loss = 0;  // unweighted, summed over MoE layers
  double z_loss = 0;
  double lr = 0;
  double grad_norm = 0;                                     // before clipping
  double tokens_per_s = 0;                                  // over the last logging interval
  std::vector<std::pair<std::string, double>> pass_losses;  // LM loss per width pass
};

struct TrainHooks {
  // Once, before the first step, with the step training starts from: the checkpoint's
  // when it resumes, else 0. Whatever was logged past it belongs to a lost attempt.
  std::function<void(int64_t first_step)> on_start;
  std::function<void(const TrainStepLog&)> on_log;  // every log_every steps and at the last step
  std::function<bool()> stop_requested;             // polled between steps; a stop checkpoints first
};

struct TrainOutcome {
  int64_t first_step = 0;  // where this run started (the checkpoint's step when it resumed)
  int64_t steps_done = 0;
  int64_t tokens_seen = 0;
  bool stopped = false;
  double seconds = 0;        // this run's training time
  double total_seconds = 0;  // training time of all steps_done: this run's plus the checkpoint's record
  double final_lm_loss = 0;
};

}  // namespace mose::core::spec

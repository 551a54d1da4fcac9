// The engine's entry points for study/ and app/: train a run, evaluate a trained
// checkpoint under a width policy. Torch-free header: callers see only plain structs.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"
#include "core/eval/eval_result.h"
#include "core/train/train_log.h"

namespace mose::core {

// How widths are chosen at inference. Issue-level policies (threshold, ttt, layer
// budgets) extend this; "uniform" runs every selected expert at `width`.
struct WidthPolicySpec {
  std::string name = "uniform";
  double width = 1.0;
  void validate() const;
};

struct TrainSummary {
  TrainOutcome outcome;
  int64_t parameters = 0;         // all parameters
  int64_t expert_parameters = 0;  // parameters in expert FFNs
  int64_t vocab_size = 0;         // resolved from the data
  std::string device;
  std::string fingerprint;        // training_fingerprint(config)
};

// Trains (resuming from config.train.checkpoint_path when present) and writes the final
// checkpoint there when a path is set.
TrainSummary train_run(const RunConfig& config, const TrainHooks& hooks = {});

// Loads the checkpoint written by train_run for `config` and measures validation loss
// over config.eval.tokens tokens under `policy`.
LmEvalResult evaluate_run(const RunConfig& config, const std::string& checkpoint_path, const WidthPolicySpec& policy);

// Intra-op CPU threads for this process (LibTorch's pool; 0 leaves its default). Small
// models train fastest with 1 thread per worker process and one worker per core: a
// multi-thread OpenMP pool spends most of its time synchronising on tiny GEMMs.
void set_cpu_threads(int threads);

// Cross-entropy of the validation tokens under the training unigram distribution:
// the loss a model that ignores context would reach.
double unigram_baseline_loss(const RunConfig& config);

}  // namespace mose::core

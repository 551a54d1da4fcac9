// The engine's facade: the entry points study/ and app/ use to train a run, evaluate a
// trained checkpoint under a width policy, and set or describe the process's compute.
// Torch-free header (callers see only plain structs); core/engine.cpp implements it with
// LibTorch, and mose_engine links that without LibTorch's headers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/errors.h"
#include "core/spec/config.h"
#include "core/spec/eval_result.h"
#include "core/spec/train_log.h"
#include "core/spec/width_policy.h"

namespace mose::core::spec {

struct TrainSummary {
  TrainOutcome outcome;
  int64_t parameters = 0;         // all parameters
  int64_t expert_parameters = 0;  // parameters in expert FFNs
  int64_t vocab_size = 0;         // resolved from the data
  std::string device;
  std::string fingerprint;  // training_fingerprint(config)
};

// Trains (resuming from config.train.checkpoint_path when present) and writes the final
// checkpoint there when a path is set. Sets this process's intra-op CPU threads to
// config.train.cpu_threads first, as evaluate_run does, so a result never depends on
// the machine or on how many workers share it.
TrainSummary train_run(const RunConfig& config, const TrainHooks& hooks = {});

// What evaluate_run is asked while it runs: stop_requested is polled between batches
// (of evaluation, of a policy's calibration and of task scoring), so that a stop takes
// effect within one batch wherever evaluation is. Once it answers true, evaluate_run
// abandons the evaluation and throws EvaluationStopped: a partial evaluation has nothing
// worth keeping, so the caller runs it again later, from the start.
struct EvalHooks {
  std::function<bool()> stop_requested;  // empty: never stops
};

class EvaluationStopped : public Error {
 public:
  using Error::Error;
  const char* category() const noexcept override { return "stopped"; }
};

// Loads the checkpoint written by train_run for `config` and measures validation loss
// over config.eval.tokens tokens under `policy` (built by name: core/policy/width_policies.h).
// Policies that calibrate (threshold, ttt) fit on the FIRST C = max(1, N / 4) validation
// windows, N = the windows config.eval.tokens asks for, and are evaluated on the N windows
// after them (fewer when the validation file ends first), so calibration and evaluation
// never share a window. Every policy, "uniform" included, is evaluated on those same
// windows, so policies are always compared on identical data. The result records the
// policy's target budget and, when the achieved expert budget misses it by more than
// kBudgetTolerance (1%), a note saying why. The task files of config.eval.tasks are then
// scored under the same policy (core/eval/task_eval.h); they need a text corpus.
LmEvalResult evaluate_run(const RunConfig& config, const std::string& checkpoint_path, const WidthPolicySpec& policy,
                          const EvalHooks& hooks = {});

// What the engine runs on, recorded with every trial so a result can be traced to it.
struct EngineInfo {
  std::string torch_version;  // LibTorch's version string
  bool cuda_available = false;
  int cuda_devices = 0;
  int cpu_threads = 0;  // intra-op threads of this process now
};
EngineInfo engine_info();

// Cross-entropy of the validation tokens under the training unigram distribution:
// the loss a model that ignores context would reach.
double unigram_baseline_loss(const RunConfig& config);

}  // namespace mose::core::spec

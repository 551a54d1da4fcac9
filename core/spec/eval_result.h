// The result of an evaluation: validation loss under a width policy, the budget it
// reached, and zero-shot task scores under the same policy. Torch-free.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/spec/flops.h"
#include "core/spec/moe_stats.h"

namespace mose::core::spec {

// One zero-shot task (core/eval/task_eval.h) scored under a width policy.
struct TaskResult {
  std::string name;  // file stem: metrics are recorded as task/<name>/...
  std::string kind;  // "multiple_choice" | "last_word"
  int64_t items = 0;
  double accuracy = 0;  // share of items right
  // multiple choice: argmax of log p(choice | context) / bytes(choice); NaN for last word
  double acc_norm = std::numeric_limits<double>::quiet_NaN();
  int64_t tokens = 0;        // positions run through the model (padding included)
  FlopsBreakdown flops;      // forward FLOPs per position run
  double expert_budget = 0;  // achieved_width_budget over the positions run
  double seconds = 0;        // wall-clock of the forward passes
  double tokens_per_s = 0;
};

struct LmEvalResult {
  double lm_loss = 0;        // mean next-token cross-entropy, nats/token
  double perplexity = 0;     // exp(lm_loss)
  int64_t tokens = 0;        // tokens scored
  FlopsBreakdown flops;      // forward FLOPs per token at the widths used
  double expert_budget = 0;  // the width budget achieved: achieved_width_budget (core/spec/flops.h)
  double seconds = 0;        // wall-clock of the forward passes
  double tokens_per_s = 0;
  std::vector<MoeLayerStats> layers;  // usage per MoE layer, summed over batches
  // Set by evaluate_run: the budget the policy aimed at (WidthPolicySpec::target_budget)
  // and, when expert_budget misses it by more than kBudgetTolerance, why (else empty).
  double target_budget = std::numeric_limits<double>::quiet_NaN();
  std::string budget_note;
  std::vector<TaskResult> tasks;  // config.eval.tasks, in order, under the same policy
};

}  // namespace mose::core::spec

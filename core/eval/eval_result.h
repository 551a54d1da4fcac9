// The result of a validation-loss evaluation. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/eval/flops.h"
#include "core/model/moe_stats.h"

namespace mose::core {

struct LmEvalResult {
  double lm_loss = 0;          // mean next-token cross-entropy, nats/token
  double perplexity = 0;       // exp(lm_loss)
  int64_t tokens = 0;          // tokens scored
  FlopsBreakdown flops;        // forward FLOPs per token at the widths used
  double expert_budget = 0;    // expert FLOPs used / full-width expert FLOPs (the width budget achieved)
  double seconds = 0;          // wall-clock of the forward passes
  double tokens_per_s = 0;
  std::vector<MoeLayerStats> layers;  // usage per MoE layer, summed over batches
};

}  // namespace mose::core

// Routing regime "soft_topk": a Laplace soft top-k (LapSum relaxation) of per-token
// standardised logits with a learned per-layer k whose mean over layers is top_k;
// experts whose soft weight is below a threshold do not run.
#pragma once

#include "core/spec/config.h"

namespace mose::core::spec {

struct SoftTopKRouting {
  double soft_alpha;      // Laplace CDF scale on per-token standardised logits
  double soft_threshold;  // experts with soft weight below this do not run
  bool learn_k;           // per-layer k learned (mean fixed to top_k); false = top_k everywhere
};

SoftTopKRouting soft_topk_routing(const RouterConfig& router);

// True when the routing regime is soft_topk with a learned per-layer k: the model then
// holds one more parameter per MoE layer (the GPT family counts it, Gpt registers it).
bool learns_k(const RouterConfig& router);

}  // namespace mose::core::spec

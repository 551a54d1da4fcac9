// What a forward pass is told (widths, training mode, randomness) and what it reports
// besides logits (auxiliary losses, per-layer expert usage for FLOPs and analysis).
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/model/moe_usage.h"

namespace mose::core::model {

class WidthChooser;

struct ForwardContext {
  const WidthChooser* widths = nullptr;  // required
  bool training = false;
  std::optional<at::Generator> generator;  // router noise (training)
  bool collect_stats = false;              // per-layer usage, counted on the device (read_usage)
  bool keep_routing = false;               // keep each MoE layer's router probabilities
  bool skip_lm_head = false;               // final_hidden instead of logits, for lm_head_loss
};

struct ForwardResult {
  at::Tensor logits;                      // [B, T, vocab] (undefined when skip_lm_head)
  at::Tensor final_hidden;                // [B, T, d_model] after the final norm, when skip_lm_head
  at::Tensor aux_loss;                    // scalar: weighted router losses summed over MoE layers
  at::Tensor balance_loss;                // scalar: unweighted, summed over MoE layers (for logs)
  at::Tensor z_loss;                      // scalar: unweighted, summed over MoE layers (for logs)
  std::vector<MoeUsageCounts> moe_usage;  // one per MoE layer when collect_stats
  std::vector<at::Tensor> router_probs;   // [T, E] per MoE layer when keep_routing
  std::vector<at::Tensor> expert_index;   // [T, k] per MoE layer when keep_routing
};

}  // namespace mose::core::model

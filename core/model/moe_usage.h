// Expert usage of an MoE layer counted on the device. Counting in the forward pass with
// fixed-size index_add ops and reading all layers (and all batches, summed on the device)
// in one transfer keeps evaluation free of per-layer host synchronisation: with a sync
// per layer, a fixed cost per layer would hide the speed-up of slim widths.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/spec/moe_stats.h"

namespace mose::core::model {

struct RoutingDecision;

struct MoeUsageCounts {
  // int64 on the device: [tokens_per_expert (E) | width_histogram (d_ff + 1) |
  // experts_per_token (S + 1) | null, computed, hidden units, tokens without expert, dropped]
  at::Tensor counts;
  int64_t n_experts = 0, d_ff = 0, slots = 0;
  int64_t tokens = 0, shared_assignments = 0;  // known on the host

  // Adds another forward pass of the same layer (same E, d_ff and S).
  void add(const MoeUsageCounts& other);
};

// hidden_units: [T, S] per slot (read where expert_index >= 0); shared_hidden: [T, shared]
// or undefined.
MoeUsageCounts count_usage(const RoutingDecision& routing, const at::Tensor& hidden_units,
                           const at::Tensor& shared_hidden, int64_t n_experts, int64_t d_ff);

// Every layer's counts in one device-to-host transfer.
std::vector<spec::MoeLayerStats> read_usage(const std::vector<MoeUsageCounts>& layers);

}  // namespace mose::core::model

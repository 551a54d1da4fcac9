// Expert usage of MoE layers: what ran, for FLOPs accounting and analysis. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

namespace mose::core::spec {

// Expert usage of one MoE layer over one or more forward passes. "Chosen" assignments are
// the (token, routed expert) pairs the router picked; capacity may drop some of them, and
// null experts (AdaMoE) are counted apart because they never compute.
struct MoeLayerStats {
  std::vector<int64_t> tokens_per_expert;  // computed assignments per routed expert
  int64_t tokens = 0;
  int64_t assignments = 0;                 // chosen routed assignments, before capacity
  int64_t dropped = 0;                     // chosen but dropped by capacity
  int64_t null_assignments = 0;            // slots that chose a null expert
  int64_t shared_assignments = 0;          // always-on shared-expert assignments (DeepSeekMoE)
  int64_t tokens_without_expert = 0;       // tokens no routed expert processed (dropped tokens)
  int64_t hidden_units = 0;                // sum over computed assignments (shared included) of their m
  std::vector<int64_t> width_histogram;    // computed assignments by m (index m, size d_ff + 1)
  std::vector<int64_t> experts_per_token;  // tokens by number of computed routed experts (index n)

  int64_t computed() const { return assignments - dropped; }  // routed assignments that ran
  // Routed experts per token that ran, averaged over tokens (shared experts not included).
  double mean_experts_per_token() const {
    return tokens > 0 ? static_cast<double>(computed()) / static_cast<double>(tokens) : 0.0;
  }
  void accumulate(const MoeLayerStats& other);
};

}  // namespace mose::core::spec

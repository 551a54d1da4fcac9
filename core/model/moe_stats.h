// Expert usage of MoE layers: what ran, for FLOPs accounting and analysis. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

namespace mose::core {

// Expert usage of one MoE layer over one forward pass.
struct MoeLayerStats {
  std::vector<int64_t> tokens_per_expert;  // computed assignments per expert
  int64_t tokens = 0;
  int64_t assignments = 0;                 // tokens * k (before capacity)
  int64_t dropped = 0;                     // assignments not computed
  int64_t hidden_units = 0;                // sum over computed assignments of their m
  std::vector<int64_t> width_histogram;    // computed assignments by m (index m, size d_ff + 1)

  void accumulate(const MoeLayerStats& other);
};

}  // namespace mose::core

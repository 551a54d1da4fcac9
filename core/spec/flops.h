// Exact analytic FLOPs per token of a forward pass, broken down by component.
// Convention: FLOPs = 2 x multiply-adds of every matrix product actually executed;
// elementwise work (norms, activations, softmax, residual adds, the gate-weighted
// combine) is not counted. Training = 3 x forward (backward = 2 x forward).
//
// The model family counts its own architecture (core/spec/family_<name>.cpp gives the
// formulas: attention, router, dense FFNs, LM head, and the matrix FLOPs per hidden
// unit of an expert assignment). Experts are counted from the widths actually used: the
// hidden units of every computed assignment, summed, divided by the tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "core/spec/config.h"
#include "core/spec/moe_stats.h"

namespace mose::core::spec {

struct FlopsBreakdown {
  double attention_projections = 0;
  double attention_scores = 0;
  double router = 0;
  double experts = 0;
  double dense_ffn = 0;
  double lm_head = 0;

  double total() const { return attention_projections + attention_scores + router + experts + dense_ffn + lm_head; }
  double training() const { return 3.0 * total(); }
};

// Matrix products per hidden unit of one expert assignment: 4 d (GELU) or 6 d (SwiGLU).
double expert_flops_per_hidden_unit(const ModelConfig& config);

// Everything except the experts, per token, for sequences of length seq_len.
FlopsBreakdown non_expert_flops_per_token(const ModelConfig& config, int64_t seq_len);

// Forward FLOPs per token given the total hidden units computed by all MoE layers over
// `tokens` tokens (sum of m over computed assignments, as MoeLayerStats reports).
FlopsBreakdown flops_per_token(const ModelConfig& config, int64_t seq_len, int64_t hidden_units_computed,
                               int64_t tokens);

// Expert FLOPs per token if a token's nominal experts (top_k; expert_capacity for expert
// choice; m * top_k fine experts for deepseek) all ran at full width: for estimates.
double full_width_expert_flops_per_token(const ModelConfig& config);

// The width budget achieved: hidden units computed / the hidden units the same computed
// assignments (shared included) would use at full width. Routing decides how many experts
// run; the width policy decides how wide, and this measures only the latter, so it is
// comparable across routing regimes (variable-k ones included).
double achieved_width_budget(const std::vector<MoeLayerStats>& layers, int64_t expert_d_ff);

}  // namespace mose::core::spec

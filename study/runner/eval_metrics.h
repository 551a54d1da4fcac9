// The metrics an evaluation records, by name. Names are the study's vocabulary:
// analysis, exports and the CLI read them back by these names.
#pragma once

#include <vector>

#include "core/spec/config.h"
#include "core/spec/eval_result.h"
#include "db/records.h"

namespace mose::study::runner {

// From one validation run of `model`:
//   val_loss, perplexity, eval_tokens, eval_seconds, eval_tokens_per_s
//   flops_per_token         forward FLOPs per token at the widths used (core/spec/flops.h)
//   expert_flops_per_token  its expert share
//   train_flops_per_token   3 x flops_per_token (forward + backward)
//   expert_budget           expert FLOPs used / full-width expert FLOPs
//   dropped_fraction        assignments not computed (capacity) / all assignments
//   mean_width              hidden units computed / (computed assignments x d_ff)
// and per MoE layer i (0-based among MoE layers): moe<i>.dropped_fraction,
// moe<i>.mean_width, moe<i>.load_max_over_mean (busiest expert's computed assignments
// over the mean per expert: 1 = perfectly balanced), moe<i>.experts_per_token (routed
// experts that ran per token), moe<i>.dropped_tokens_fraction (tokens no routed expert
// processed), moe<i>.null_fraction (null_experts: share of chosen slots that were null),
// moe<i>.expert<e>.share (expert e's share of the layer's computed assignments),
// moe<i>.width_share.<w> (share of its computed assignments at width w = m / d_ff, for
// each width that occurred: the width histogram), and
// experts_per_token over all MoE layers.
// When evaluate_run set a target budget: budget (the policy's target), budget_error
// (expert_budget / budget - 1) and budget_met (1 when within core::spec::kBudgetTolerance,
// else 0; the reason is in LmEvalResult::budget_note). Per zero-shot task <name>
// (eval.tasks): task/<name>/acc, task/<name>/acc_norm (multiple choice only),
// task/<name>/items, task/<name>/expert_budget, task/<name>/flops_per_token,
// task/<name>/seconds, task/<name>/tokens_per_s.
std::vector<db::Metric> eval_metrics(const core::spec::LmEvalResult& result, const core::spec::ModelConfig& model);

}  // namespace mose::study::runner

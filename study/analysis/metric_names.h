// The names of the metrics and curves a study records: the vocabulary the runner writes
// (study/runner/eval_metrics.cpp, training_trial.cpp) and analysis, exports, the CLI and
// the GUI read back. One definition each, so a renamed metric cannot leave a reader
// looking for the old name. Meanings are in study/runner/eval_metrics.h.
#pragma once

#include <string>

namespace mose::study::analysis {

// Evaluation trials (and every training trial's full-width evaluation).
inline constexpr const char* kValLoss = "val_loss";
inline constexpr const char* kPerplexity = "perplexity";
inline constexpr const char* kEvalTokens = "eval_tokens";
inline constexpr const char* kEvalSeconds = "eval_seconds";
inline constexpr const char* kEvalTokensPerS = "eval_tokens_per_s";
inline constexpr const char* kFlopsPerToken = "flops_per_token";
inline constexpr const char* kExpertFlopsPerToken = "expert_flops_per_token";
inline constexpr const char* kTrainFlopsPerToken = "train_flops_per_token";
inline constexpr const char* kExpertBudget = "expert_budget";
inline constexpr const char* kDroppedFraction = "dropped_fraction";
inline constexpr const char* kMeanWidth = "mean_width";
inline constexpr const char* kExpertsPerToken = "experts_per_token";
inline constexpr const char* kBudget = "budget";
inline constexpr const char* kBudgetError = "budget_error";
inline constexpr const char* kBudgetMet = "budget_met";

// Training trials.
inline constexpr const char* kTrainLoss = "train_loss";
inline constexpr const char* kSteps = "steps";
inline constexpr const char* kTokens = "tokens";
inline constexpr const char* kTrainSeconds = "train_seconds";
inline constexpr const char* kTrainTokensPerS = "train_tokens_per_s";
inline constexpr const char* kAttemptTrainSeconds = "attempt_train_seconds";
inline constexpr const char* kAttemptTokensPerS = "attempt_tokens_per_s";
inline constexpr const char* kResumedFromStep = "resumed_from_step";
inline constexpr const char* kParameters = "parameters";
inline constexpr const char* kExpertParameters = "expert_parameters";
inline constexpr const char* kVocabSize = "vocab_size";

// Training curves (one point per logged step).
inline constexpr const char* kCurveLmLoss = "lm_loss";
inline constexpr const char* kCurveAuxLoss = "aux_loss";
inline constexpr const char* kCurveBalanceLoss = "balance_loss";
inline constexpr const char* kCurveZLoss = "z_loss";
inline constexpr const char* kCurveLr = "lr";
inline constexpr const char* kCurveGradNorm = "grad_norm";
inline constexpr const char* kCurveTokensPerS = "tokens_per_s";
inline constexpr const char* kCurveTokens = "tokens";
inline constexpr const char* kCurvePassLossPrefix = "pass_loss:";  // + the pass's label ("w=0.25")

// Per MoE layer i (0-based among MoE layers): "moe<i>.<name>", with kDroppedFraction,
// kMeanWidth, kExpertsPerToken and these; plus "width_share.<w>" (w with 3 decimals) and
// "expert<e>.share".
inline constexpr const char* kLayerMetricPrefix = "moe";
inline constexpr const char* kLayerDroppedTokensFraction = "dropped_tokens_fraction";
inline constexpr const char* kLayerNullFraction = "null_fraction";
inline constexpr const char* kLayerLoadMaxOverMean = "load_max_over_mean";
inline std::string layer_metric(std::size_t layer, const std::string& name) {
  return kLayerMetricPrefix + std::to_string(layer) + "." + name;
}

// Per zero-shot task: "task/<task name>/<name>", with kExpertBudget, kFlopsPerToken and these.
inline constexpr const char* kTaskMetricPrefix = "task/";
inline constexpr const char* kTaskAcc = "acc";
inline constexpr const char* kTaskAccNorm = "acc_norm";
inline constexpr const char* kTaskItems = "items";
inline constexpr const char* kTaskSeconds = "seconds";
inline constexpr const char* kTaskTokensPerS = "tokens_per_s";
inline std::string task_metric(const std::string& task, const std::string& name) {
  return kTaskMetricPrefix + task + "/" + name;
}

// Whether a higher value of `metric` is better: task accuracies; every other metric a
// frontier is drawn on (losses, FLOPs, budgets) is better lower.
inline bool higher_is_better(const std::string& metric) {
  return metric.starts_with(kTaskMetricPrefix) &&
         (metric.ends_with(std::string("/") + kTaskAcc) || metric.ends_with(std::string("/") + kTaskAccNorm));
}

}  // namespace mose::study::analysis

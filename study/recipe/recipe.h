// Study recipes: one TOML file that expands into training trials (models to train) and
// evaluation trials (a width policy applied to a trained model). Parsing, validation,
// expansion and canonical hashing live here; running trials does not. Torch-free.
// The format, precedence, checks, identity rules and the generated reference of every
// key are in recipes/README.md; messages have the form
// "<file>:<line>:<column>: <key>: <what was wrong>; expected <what>".
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/spec/config.h"
#include "core/spec/memory.h"
#include "core/spec/width_policy.h"

namespace mose::study::recipe {

struct TrainingTrialSpec {
  std::string label;  // its axis values ("mode=mose,model.router.top_k=2"), or "base"
  // One (axis name, value text) per Recipe::axis_names, in that order: every trial has
  // every axis, so trials can be grouped and filtered by any of them.
  std::vector<std::pair<std::string, std::string>> axes;
  core::spec::RunConfig config;
  // Its identity: the settings that change the trained weights (role kTraining), never
  // what evaluation measures, so a new task or token count adds evaluation trials only.
  std::string config_json;  // canonical
  std::string config_hash;  // core::spec::stable_hash(config_json)
  // The hash of the same trial before evaluation settings left the training identity,
  // under which a study may still hold it (study/runner/identity_migration.h).
  std::string legacy_config_hash;
};

struct EvalTrialSpec {
  std::size_t training_index = 0;  // into Recipe::training
  core::spec::WidthPolicySpec policy;
  std::string label;  // "policy=uniform,width=0.5"
  // {"eval":{<evaluation settings>},"policy":{...},"training":"<training hash>"}: the
  // model, the policy and what is measured (validation tokens, batch, tasks).
  std::string config_json;
  std::string config_hash;
  // {"policy":{...},"training":"<legacy training hash>"}: its identity before the
  // evaluation settings moved here, under which a study may still hold it.
  std::string legacy_config_hash;
};

struct Recipe {
  std::string name, description;
  std::filesystem::path path;
  std::vector<std::filesystem::path> files;  // the recipe, then its includes
  std::vector<TrainingTrialSpec> training;   // the grid (first axis slowest), then [[trial]]s
  std::vector<EvalTrialSpec> evaluation;     // training-major, then policies in file order
  // "mode" (when modes exist), the [sweep] keys, then keys only [[trial]]s set, then
  // "train.seed" when [study] seeds asks for more than one.
  std::vector<std::string> axis_names;
  int seeds = 1;  // [study] seeds: training trials per configuration, seeds train.seed + 0..n-1
};

// The most trials one recipe may expand into. `check` and the study store handle this
// many in a second or two; more is a typo (an axis of 100000 seeds) or a study to split.
inline constexpr std::size_t kMaxTrainingTrials = 10'000;
inline constexpr std::size_t kMaxEvaluationTrials = 100'000;

// Reads, validates and expands a recipe. Throws RecipeError, also when it would expand
// into more than kMaxTrainingTrials or kMaxEvaluationTrials (before expanding).
Recipe load_recipe(const std::filesystem::path& path);

// For `mose-study check`: trial counts, axes and their values, policies, the model
// families, routing regimes, width samplers and width policies the trials use (with their
// descriptors' summaries), each trial's hash, estimated compute and training memory, and
// the totals.
std::string describe_recipe(const Recipe& recipe);

// Training FLOPs ~= 3 x forward FLOPs per token at full width x tokens per step x
// passes per step x steps, passes from the width sampler's descriptor
// (WidthSamplerKind::passes_per_step). An upper bound for multi-width training:
// slim passes compute fewer expert FLOPs. model.vocab_size 0 resolves to 256 for the
// byte tokenizer, else data.vocab_size (0 when a sentencepiece model is adopted: the LM
// head is then left out).
double estimate_training_flops(const core::spec::RunConfig& config);

// Evaluation FLOPs ~= (non-expert + expert share x full-width expert FLOPs per token) x
// eval.tokens, the share given by the policy (uniform: its width).
double estimate_evaluation_flops(const core::spec::RunConfig& config, const core::spec::WidthPolicySpec& policy);

// The memory a training trial needs on its device (core/spec/memory.h), the vocabulary
// resolved as for estimate_training_flops.
core::spec::MemoryEstimate training_memory(const core::spec::RunConfig& config);

// "1.2e+08 parameters: weights 458 MiB, gradients 458 MiB, AdamW state 916 MiB;
// activations 2.1 GiB for one micro-batch of 16 x 1024 tokens".
std::string describe_memory(const core::spec::MemoryEstimate& memory, const core::spec::RunConfig& config);

}  // namespace mose::study::recipe

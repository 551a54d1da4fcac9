// Study recipes: one TOML file that expands into training trials (models to train) and
// evaluation trials (a width policy applied to a trained model). Parsing, validation,
// expansion and canonical hashing live here; running trials does not. Torch-free.
//
// Recipe format
// -------------
//   include = ["base.toml"]   # optional; relative to this file; merged first (in the
//                             # order listed), then this file on top. Tables merge
//                             # deeply, any other value (arrays too) is replaced.
//                             # A file reached twice is merged once, where first
//                             # reached. An include cycle is an error.
//   [study]
//   name = "quickstart"       # required, [A-Za-z0-9_.-]+
//   description = "..."       # optional
//
//   [data] [model] [model.router] [train] [train.optim] [train.width] [eval]
//                             # the engine settings (core/config.h) of the base config;
//                             # every key, its type and meaning: study/recipe_keys.cpp.
//                             # Paths (data.sources, data.cache_dir, ...) are kept as
//                             # written: relative paths are relative to the directory
//                             # the study runs in. data.cache_dir is not part of a
//                             # trial's identity (it only says where tokens are cached).
//
//   [modes.moe]               # named training modes: bundles of overrides. If any mode
//   "train.width.widths" = [1.0]          # is defined, "mode" is the first sweep axis,
//   [modes.mose]                          # over every mode in file order. A mode may
//   "train.width.widths" = [0.25, 0.5, 0.75, 1.0]   # be empty ([modes.moe] alone).
//
//   [sweep]                   # grid axes: key -> array of values (one per trial), in
//   "model.router.top_k" = [1, 2]   # file order; Cartesian product, last axis fastest.
//   "train.seed" = [1, 2]     # A list-valued key takes an array of lists.
//
//   [[trial]]                 # extra training trials, not crossed with [sweep]:
//   mode = "mose"             # optional mode, then overrides, applied on the base
//   "train.width.sampler" = "all"
//
//   [[policy]]                # evaluation policies, applied to every training trial
//   name = "uniform"          # a name from the registry (study/recipe_policies.cpp)
//   widths = [0.25, 0.5, 1.0] # uniform: one evaluation trial per width, each in (0, 1]
//
// Keys. Inside [modes.*], [sweep] and [[trial]] a setting is named by its dotted path
// ("model.router.top_k"), quoted or bare; both resolve through the same key table as
// the nested tables, and so do dotted keys at the top level (model.n_layer = 4).
// Integers are accepted for float settings; a float for an integer setting is an error.
//
// Precedence, lowest first: engine defaults < included files (in order) < this file's
// tables < the trial's mode < its [sweep] values < its [[trial]] overrides. So a sweep
// may vary a key a mode also sets: the sweep value wins.
//
// Checks. Every trial's RunConfig::validate() runs after expansion; two training trials
// with the same canonical config, or two identical policies, are errors; so are unknown
// keys (with close matches), wrong types, unknown modes or policies, empty axes.
// Messages: "<file>:<line>:<column>: <key>: <what was wrong>; expected <what>", and for
// a whole trial "<file>: trial <label>: <engine message>".
//
// Identity. A training trial's config_json is config_entries(config) nested by dots into
// objects, keys sorted, no whitespace, shortest round-trip numbers; its config_hash is
// core::stable_hash(config_json). An evaluation trial's config_json is
// {"policy":{...},"training":"<training hash>"}. Hashes depend only on settings, never
// on how or in which order the recipe wrote them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/engine.h"

namespace mose::study {

struct TrainingTrialSpec {
  std::string label;  // its axis values ("mode=mose,model.router.top_k=2"), or "base"
  // One (axis name, value text) per Recipe::axis_names, in that order: every trial has
  // every axis, so trials can be grouped and filtered by any of them.
  std::vector<std::pair<std::string, std::string>> axes;
  core::RunConfig config;
  std::string config_json;  // canonical
  std::string config_hash;  // core::stable_hash(config_json)
};

struct EvalTrialSpec {
  std::size_t training_index = 0;  // into Recipe::training
  core::WidthPolicySpec policy;
  std::string label;        // "policy=uniform,width=0.5"
  std::string config_json;  // {"policy":{...},"training":"<training hash>"}
  std::string config_hash;
};

struct Recipe {
  std::string name, description;
  std::filesystem::path path;
  std::vector<std::filesystem::path> files;  // the recipe, then its includes
  std::vector<TrainingTrialSpec> training;   // the grid (first axis slowest), then [[trial]]s
  std::vector<EvalTrialSpec> evaluation;     // training-major, then policies in file order
  // "mode" (when modes exist), the [sweep] keys, then keys only [[trial]]s set.
  std::vector<std::string> axis_names;
};

// Reads, validates and expands a recipe. Throws RecipeError.
Recipe load_recipe(const std::filesystem::path& path);

// For `mose-study check`: trial counts, axes and their values, policies, each trial's
// hash and estimated compute, and the totals.
std::string describe_recipe(const Recipe& recipe);

// Training FLOPs ~= 3 x forward FLOPs per token at full width x tokens per step x
// passes per step x steps, passes from the width sampler (all: |W|; sandwich: 2 +
// sandwich_random, 1 when |W| = 1; random: 1). An upper bound for multi-width training:
// slim passes compute fewer expert FLOPs. model.vocab_size 0 resolves to 256 for the
// byte tokenizer, else data.vocab_size (0 when a sentencepiece model is adopted: the LM
// head is then left out).
double estimate_training_flops(const core::RunConfig& config);

// Evaluation FLOPs ~= (non-expert + expert share x full-width expert FLOPs per token) x
// eval.tokens, the share given by the policy (uniform: its width).
double estimate_evaluation_flops(const core::RunConfig& config, const core::WidthPolicySpec& policy);

}  // namespace mose::study

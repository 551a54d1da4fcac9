// The upper bounds of the engine's settings, with their reasons. Each lies far above any
// model trained so far, so that no real study meets it, and low enough that a value off
// by a few zeros (n_layer = 1000000000) is refused when a recipe is checked instead of
// looping for minutes or allocating until memory runs out. Reference points:
// DeepSeek-V3 (61 layers, d_model 7168, 128 heads, 256 routed experts of 2048 hidden
// units, 8 per token, 128k context, vocabulary 129k, ~250k optimizer steps) and PaLM 540B
// (118 layers, d_model 18432, 48 heads, FFN 73728). recipes/README.md lists every bound
// (the generated reference); the memory a trial needs is checked separately (memory.h).
#pragma once

#include <cstdint>

#include "core/data/data_config.h"

namespace mose::core::spec {

inline constexpr int64_t kMaxLayers = 1024;        // 8x PaLM's 118 blocks
inline constexpr int64_t kMaxHeads = 1024;         // 8x DeepSeek-V3's 128
inline constexpr int64_t kMaxDModel = 65536;       // 3.5x PaLM's 18432
inline constexpr int64_t kMaxSeqLen = 1 << 20;     // 1M tokens: 8x DeepSeek-V3's 128k
inline constexpr int64_t kMaxExperts = 4096;       // 16x DeepSeek-V3's 256; also bounds experts per token
inline constexpr int64_t kMaxFfnHidden = 1 << 20;  // 14x PaLM's 73728
inline constexpr int64_t kMaxVocab = data::kMaxVocabSize;
inline constexpr int64_t kMaxSteps = 100'000'000;   // 400x DeepSeek-V3's; also bounds warm-up and cadences
inline constexpr int64_t kMaxBatch = 65536;         // sequences per micro-batch, and micro-batches per step
inline constexpr int64_t kMaxEvalTokens = 1 << 30;  // 1.07e9: evaluation keeps its windows as int64 (8 GiB)
inline constexpr int64_t kMaxCpuThreads = 1024;     // intra-op threads of one trial: far above any one machine
inline constexpr int64_t kMaxWidths = 64;           // training widths |W|: the "all" sampler runs one pass each
// Loss weights, logit noise and scales: above 1000 they drown the language-model loss.
inline constexpr double kMaxCoefficient = 1000;

}  // namespace mose::core::spec

// Seeded batch sampling and fixed validation windows over token files.
//
// Training: a row is a window of seq_len + 1 consecutive tokens (inputs = the
// first seq_len, targets = the last seq_len). Row r of micro-batch m at step s
// starts at
//   uniform_below(counter_hash(seed, rng_stream::kTrainBatch, s, m, r), tokens - seq_len),
// uniformly over every start whose window fits. Each row is a pure function
// of (seed, step, micro, row): resuming at step s needs no sampler state and
// gives bit-identical batches, and row r does not depend on the batch size.
//
// Validation: window k covers tokens [k (seq_len+1), (k+1) (seq_len+1)); an
// evaluation uses the first N windows, N fixed by a token budget, so val loss
// is measured on the same tokens in every run over the same corpus.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/data/token_file.h"

namespace mose::core::data {

// Row starts for a corpus of `tokens` tokens: [batch], each in [0, tokens - seq_len - 1].
std::vector<int64_t> sample_window_starts(int64_t tokens, uint64_t seed, int64_t step, int micro, int batch,
                                          int seq_len);

// Row-major [batch, seq_len + 1] token ids.
std::vector<int32_t> sample_batch(const TokenFile& train, uint64_t seed, int64_t step, int micro, int batch,
                                  int seq_len);
// Same, into a caller's buffer of exactly batch * (seq_len + 1) ids (e.g. a pinned tensor).
void sample_batch_into(const TokenFile& train, uint64_t seed, int64_t step, int micro, int batch, int seq_len,
                       std::span<int32_t> out);

// min(max_tokens / (seq_len + 1), val.size() / (seq_len + 1)) windows. Throws
// DataError naming the file when it is shorter than one window.
int64_t validation_window_count(const TokenFile& val, int seq_len, int64_t max_tokens);

// Windows [first_window, first_window + count) as row-major [count, seq_len + 1].
std::vector<int32_t> validation_batch(const TokenFile& val, int seq_len, int64_t first_window, int count);

}  // namespace mose::core::data

// The unigram baseline: the loss a model reaches by predicting every token
// from train-set frequencies alone. A trained language model must beat it.
//
//   p(v) = (count_train(v) + 1) / (N_train + V)          (add-one smoothing)
//   H    = -(1 / N_val) * sum_v count_val(v) * ln p(v)   in nats/token
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/data/token_file.h"

namespace mose::core::data {

// How often each id occurs: [file.vocab_size()].
std::vector<int64_t> token_counts(const TokenFile& file);

// H above from count vectors of equal length V (the vocabulary size). Throws
// DataError when the lengths differ or val has no tokens.
double unigram_cross_entropy(std::span<const int64_t> train_counts, std::span<const int64_t> val_counts);

// H for a prepared corpus; throws DataError when the vocab sizes differ.
double unigram_cross_entropy(const TokenFile& train, const TokenFile& val);

}  // namespace mose::core::data

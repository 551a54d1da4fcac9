// Unigram cross-entropy with add-one smoothing (formula in unigram_baseline.h).
#include "core/data/unigram_baseline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

#include "base/errors.h"

namespace mose::core::data {

std::vector<int64_t> token_counts(const TokenFile& file) {
  std::vector<int64_t> counts(static_cast<size_t>(file.vocab_size()), 0);
  // copy() checks every id against the vocab size, so each indexes `counts`.
  constexpr int64_t kChunk = int64_t{1} << 16;
  std::vector<int32_t> ids(static_cast<size_t>(kChunk));
  for (int64_t begin = 0; begin < file.size(); begin += kChunk) {
    const std::span<int32_t> chunk(ids.data(), static_cast<size_t>(std::min(kChunk, file.size() - begin)));
    file.copy(begin, chunk);
    for (const int32_t id : chunk) ++counts[static_cast<size_t>(id)];
  }
  return counts;
}

double unigram_cross_entropy(std::span<const int64_t> train_counts, std::span<const int64_t> val_counts) {
  if (train_counts.size() != val_counts.size() || train_counts.empty()) {
    throw DataError(
        fmt::format("unigram baseline: train counts cover {} ids, val counts {}; expected the same "
                    "non-zero vocabulary size",
                    train_counts.size(), val_counts.size()));
  }
  const int64_t val_total = std::accumulate(val_counts.begin(), val_counts.end(), int64_t{0});
  if (val_total <= 0) throw DataError("unigram baseline: the validation counts hold no tokens");
  const int64_t train_total = std::accumulate(train_counts.begin(), train_counts.end(), int64_t{0});
  const double log_denominator = std::log(static_cast<double>(train_total) + static_cast<double>(train_counts.size()));
  double sum = 0.0;  // sum_v count_val(v) * -ln p(v)
  for (size_t v = 0; v < val_counts.size(); ++v) {
    if (val_counts[v] == 0) continue;
    const double log_p = std::log(static_cast<double>(train_counts[v]) + 1.0) - log_denominator;
    sum -= static_cast<double>(val_counts[v]) * log_p;
  }
  return sum / static_cast<double>(val_total);
}

double unigram_cross_entropy(const TokenFile& train, const TokenFile& val) {
  if (train.vocab_size() != val.vocab_size()) {
    throw DataError(fmt::format("unigram baseline: {} has vocab size {} but {} has {}", train.path().string(),
                                train.vocab_size(), val.path().string(), val.vocab_size()));
  }
  return unigram_cross_entropy(token_counts(train), token_counts(val));
}

}  // namespace mose::core::data

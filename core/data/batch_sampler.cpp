// Counter-based training windows and fixed validation windows (see batch_sampler.h).
#include "core/data/batch_sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "base/errors.h"
#include "core/data/counter_rng.h"

namespace mose::core::data {
namespace {

void check_shape(int batch, int seq_len) {
  if (batch < 1 || seq_len < 1) {
    throw ConfigError(fmt::format("batch = {}, seq_len = {}; both must be at least 1", batch, seq_len));
  }
}

void check_position(int64_t step, int micro) {
  if (step < 0 || micro < 0) {
    throw ConfigError(fmt::format("step = {}, micro-batch = {}; both must be non-negative", step, micro));
  }
}

// `what` names the tokens for the message: "token file <path>" or "a corpus".
void check_fits(int64_t tokens, int seq_len, std::string_view what) {
  if (tokens < int64_t{seq_len} + 1) {
    throw DataError(fmt::format("{} has {} tokens; a window of seq_len + 1 = {} does not fit", what, tokens,
                                int64_t{seq_len} + 1));
  }
}

std::string file_label(const TokenFile& file) { return "token file " + file.path().string(); }

}  // namespace

std::vector<int64_t> sample_window_starts(int64_t tokens, uint64_t seed, int64_t step, int micro, int batch,
                                          int seq_len) {
  check_shape(batch, seq_len);
  check_position(step, micro);
  check_fits(tokens, seq_len, "a corpus");
  const auto choices = static_cast<uint64_t>(tokens - seq_len);  // starts 0 .. tokens - seq_len - 1
  std::vector<int64_t> starts(static_cast<size_t>(batch));
  for (int row = 0; row < batch; ++row) {
    const uint64_t bits = counter_hash(seed, rng_stream::kTrainBatch, step, micro, row);
    starts[static_cast<size_t>(row)] = static_cast<int64_t>(uniform_below(bits, choices));
  }
  return starts;
}

void sample_batch_into(const TokenFile& train, uint64_t seed, int64_t step, int micro, int batch, int seq_len,
                       std::span<int32_t> out) {
  check_shape(batch, seq_len);
  check_fits(train.size(), seq_len, file_label(train));
  const auto row_length = static_cast<size_t>(seq_len) + 1;
  if (out.size() != static_cast<size_t>(batch) * row_length) {
    throw ConfigError(fmt::format("batch buffer holds {} ids; expected batch {} x (seq_len + 1) {} = {}", out.size(),
                                  batch, row_length, static_cast<size_t>(batch) * row_length));
  }
  const auto starts = sample_window_starts(train.size(), seed, step, micro, batch, seq_len);
  for (size_t row = 0; row < starts.size(); ++row) train.copy(starts[row], out.subspan(row * row_length, row_length));
}

std::vector<int32_t> sample_batch(const TokenFile& train, uint64_t seed, int64_t step, int micro, int batch,
                                  int seq_len) {
  check_shape(batch, seq_len);
  std::vector<int32_t> out(static_cast<size_t>(batch) * (static_cast<size_t>(seq_len) + 1));
  sample_batch_into(train, seed, step, micro, batch, seq_len, out);
  return out;
}

int64_t validation_window_count(const TokenFile& val, int seq_len, int64_t max_tokens) {
  check_shape(1, seq_len);
  check_fits(val.size(), seq_len, file_label(val));
  if (max_tokens < int64_t{seq_len} + 1) {
    throw ConfigError(fmt::format("validation token budget {} is below one window of seq_len + 1 = {}", max_tokens,
                                  int64_t{seq_len} + 1));
  }
  const int64_t window = int64_t{seq_len} + 1;
  return std::min(max_tokens / window, val.size() / window);
}

std::vector<int32_t> validation_batch(const TokenFile& val, int seq_len, int64_t first_window, int count) {
  check_shape(count, seq_len);
  const int64_t window = int64_t{seq_len} + 1;
  if (first_window < 0 || first_window + count > val.size() / window) {
    throw DataError(fmt::format("token file {}: validation windows [{}, {}) of {} tokens do not fit its {} tokens",
                                val.path().string(), first_window, first_window + count, window, val.size()));
  }
  std::vector<int32_t> out(static_cast<size_t>(count) * static_cast<size_t>(window));
  const std::span<int32_t> rows(out);
  for (int k = 0; k < count; ++k) {
    val.copy((first_window + k) * window,
             rows.subspan(static_cast<size_t>(k) * static_cast<size_t>(window), static_cast<size_t>(window)));
  }
  return out;
}

}  // namespace mose::core::data

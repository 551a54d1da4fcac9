// Training memory estimates (see memory.h).
#include "core/spec/memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "core/spec/model_family.h"

namespace mose::core::spec {
namespace {

bool bf16_on_cuda(const TrainConfig& train) {
  return train.bf16_autocast && (train.device == "cuda" || train.device.rfind("cuda:", 0) == 0);
}

}  // namespace

MemoryEstimate estimate_training_memory(const ModelConfig& model, const TrainConfig& train, const EvalConfig& eval) {
  const ModelFamily& family = model_family(model);
  const bool bf16 = bf16_on_cuda(train);
  MemoryEstimate m;
  m.parameters = family.parameters(model);
  m.weights = (bf16 ? 6.0 : 4.0) * m.parameters;
  m.gradients = 4.0 * m.parameters;
  m.optimizer = 8.0 * m.parameters;
  const double tokens = static_cast<double>(train.batch_size) * model.seq_len;
  const double logits = tokens * static_cast<double>(model.vocab_size);
  m.activations = tokens * family.activations_per_token(model) * (bf16 ? 2.0 : 4.0);
  m.activations += train.width.distill ? 16.0 * logits : 8.0 * std::min(logits, kLmHeadChunkLogits);
  m.evaluation = 8.0 * 1.25 * static_cast<double>(eval.tokens);
  return m;
}

std::string format_bytes(double bytes) {
  static const char* const kPrefixes[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"};
  std::size_t p = 0;
  while (bytes >= 1024.0 && p + 1 < std::size(kPrefixes)) {
    bytes /= 1024.0;
    ++p;
  }
  return fmt::format("{:.3g} {}", bytes, kPrefixes[p]);
}

}  // namespace mose::core::spec

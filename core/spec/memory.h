// The memory one training trial needs on its device, estimated from its config alone
// (torch-free, like flops.h), so that `mose-study check` and `run` refuse a trial that
// cannot fit before it starts instead of allocating until memory runs out. In bytes, with
// P the parameters (the model family counts them, model_family.h), N = batch_size x
// seq_len the tokens of one micro-batch and V the vocabulary:
//   weights      4 P    fp32 master weights, + 2 P for their bf16 copies under CUDA autocast
//   gradients    4 P    fp32
//   optimizer    8 P    AdamW's first and second moments, fp32
//   activations  N a s  a = elements one forward pass keeps per token for its backward (the
//                       family counts them); s = 2 bytes under bf16 autocast, else 4
//                + 8 min(N V, 2^27)  the LM head's fp32 logits and their gradient, one chunk
//                       of about 2^27 at a time (core/model/lm_head_loss.h)
//                  or 16 N V  with in-place distillation, which keeps whole fp32 logits:
//                       the pass's, their log-softmax, the teacher's and its softmax
//   evaluation   10 E   the evaluation's int64 token windows, E = eval.tokens for the
//                       evaluation and a quarter as many for calibration (engine.cpp),
//                       held while the trained model is evaluated
// Width passes are run and backpropagated one at a time, so one pass's activations
// count; gradient accumulation adds nothing. Left out: the evaluation's own activations
// (no gradients, nothing saved for a backward pass), rope tables (T d / n_head floats), the
// allocator's slack and the framework's own footprint: a trial whose estimate is close
// to the device's memory may still not fit.
#pragma once

#include <string>

#include "core/spec/config.h"

namespace mose::core::spec {

struct MemoryEstimate {
  double parameters = 0;  // count
  double weights = 0;     // bytes, as above
  double gradients = 0;
  double optimizer = 0;
  double activations = 0;
  double evaluation = 0;

  double total() const { return weights + gradients + optimizer + activations + evaluation; }
};

// Logits the chunked LM head computes at once (core/model/lm_head_loss.h).
inline constexpr double kLmHeadChunkLogits = 134217728.0;  // 2^27

// `model.vocab_size` must be resolved (0 leaves the LM head out); `train.device` decides
// the activations' precision: bf16 under train.bf16_autocast on "cuda" or "cuda:N", fp32
// on "cpu" and, as the upper bound, on "auto".
MemoryEstimate estimate_training_memory(const ModelConfig& model, const TrainConfig& train, const EvalConfig& eval);

// "1.5 GiB", "512 MiB": bytes with a binary prefix and three significant digits.
std::string format_bytes(double bytes);

}  // namespace mose::core::spec

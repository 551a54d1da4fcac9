// The LM head and its cross-entropy in one chunked op. Computing the loss from [N, V]
// logits stores them in the compute dtype, again in fp32, and the fp32 log-softmax for
// backward: at bench-moe's 16,384 tokens and vocabulary 50,304 about 8 GB, more than the
// rest of the model's activations, and several full passes over memory per training pass.
// Here the logits exist one chunk of rows at a time: the forward keeps only each row's
// log-sum-exp, and the backward recomputes each chunk's logits (one more GEMM) to form
// softmax - one-hot in place.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace mose::core::model {

// Mean over rows of -log softmax(hidden @ head_weight^T)[target], in fp32, with the GEMMs
// in the CUDA autocast dtype under autocast (else hidden's dtype). hidden: [N, d];
// head_weight: [V, d]; targets: [N] int64 in [0, V). chunk_rows = 0 picks chunks of about
// 2^27 logits. Gradients flow to hidden and head_weight.
at::Tensor lm_head_loss(const at::Tensor& hidden, const at::Tensor& head_weight, const at::Tensor& targets,
                        int64_t chunk_rows = 0);

// Mean next-token cross-entropy in fp32 (nats/token) from full logits. logits: [B, T, V],
// targets: [B, T].
at::Tensor lm_loss(const at::Tensor& logits, const at::Tensor& targets);

}  // namespace mose::core::model

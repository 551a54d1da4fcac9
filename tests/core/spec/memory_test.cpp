// Training memory estimates: the byte counts of memory.h for a model counted by hand,
// how precision, distillation and the LM head's chunks change them, and their units.
#include "core/spec/memory.h"

#include <catch2/catch.hpp>

#include "core/spec/model_family.h"

using namespace mose::core::spec;

namespace {

// d = 8, V = 10, T = 4, one MoE layer of 4 experts of 16 units, top-2, GELU.
ModelConfig tiny() {
  ModelConfig m;
  m.vocab_size = 10;
  m.n_layer = 1;
  m.n_head = 2;
  m.d_model = 8;
  m.seq_len = 4;
  m.n_experts = 4;
  m.d_ff = 16;
  m.dense_d_ff = 16;
  m.router.top_k = 2;
  return m;
}

TrainConfig on(const std::string& device, int batch_size) {
  TrainConfig t;
  t.device = device;
  t.batch_size = batch_size;
  return t;
}

}  // namespace

TEST_CASE("the GPT family counts parameters and saved activations by hand", "[core][spec][memory]") {
  const ModelConfig m = tiny();
  const ModelFamily& gpt = model_family(m);
  // V d + T d + (4 d^2 + 4 d) + (R d + E g d f) + 2 d, R = E = 4, g = 2, f = 16.
  CHECK(gpt.parameters(m) == 80 + 32 + (256 + 32) + (32 + 4 * 2 * 8 * 16) + 16);
  // 9 d per block + 3 R + k (2 d + 2 f) + 3 d.
  CHECK(gpt.activations_per_token(m) == 72 + 12 + 2 * (16 + 32) + 24);
  ModelConfig swiglu = m;
  swiglu.activation = "swiglu";
  swiglu.positions = "rope";
  CHECK(gpt.parameters(swiglu) == 80 + (256 + 32) + (32 + 4 * 3 * 8 * 16) + 16);
  CHECK(gpt.activations_per_token(swiglu) == 88 + 12 + 2 * (16 + 64) + 24);
}

EvalConfig eval_of(int64_t tokens) {
  EvalConfig eval;
  eval.tokens = tokens;
  return eval;
}

const EvalConfig kEval = eval_of(1000);

TEST_CASE("training memory is weights, gradients, AdamW state, one pass's activations and the evaluation windows",
          "[core][spec][memory]") {
  const ModelConfig m = tiny();
  const double p = model_family(m).parameters(m), a = model_family(m).activations_per_token(m);
  const MemoryEstimate cpu = estimate_training_memory(m, on("cpu", 3), kEval);
  CHECK(cpu.parameters == p);
  CHECK(cpu.weights == 4 * p);
  CHECK(cpu.gradients == 4 * p);
  CHECK(cpu.optimizer == 8 * p);
  CHECK(cpu.activations == 12 * a * 4 + 8 * 12 * 10);  // N = 3 x 4 tokens; logits and their gradient
  CHECK(cpu.evaluation == 8 * (1000 + 250));           // int64 windows: eval.tokens and a quarter more for calibration
  CHECK(cpu.total() == 16 * p + cpu.activations + cpu.evaluation);

  // bf16 autocast on CUDA: bf16 weight copies, 2-byte activations; "auto" counts fp32.
  const MemoryEstimate cuda = estimate_training_memory(m, on("cuda:1", 3), kEval);
  CHECK(cuda.weights == 6 * p);
  CHECK(cuda.activations == 12 * a * 2 + 8 * 12 * 10);
  CHECK(estimate_training_memory(m, on("auto", 3), kEval).activations == cpu.activations);
  TrainConfig fp32 = on("cuda", 3);
  fp32.bf16_autocast = false;
  CHECK(estimate_training_memory(m, fp32, kEval).activations == cpu.activations);

  // Width passes and gradient accumulation run one micro-batch pass at a time.
  TrainConfig many = on("cpu", 3);
  many.grad_accum = 8;
  many.width.sampler = "all";
  CHECK(estimate_training_memory(m, many, kEval).total() == cpu.total());

  // Distillation keeps whole fp32 logits.
  TrainConfig distill = on("cpu", 3);
  distill.width.distill = true;
  CHECK(estimate_training_memory(m, distill, kEval).activations == 12 * a * 4 + 16 * 12 * 10);
}

TEST_CASE("the LM head's logits count one chunk at a time", "[core][spec][memory]") {
  ModelConfig m = tiny();
  m.vocab_size = 1 << 20;
  const MemoryEstimate e = estimate_training_memory(m, on("cpu", 1024), kEval);  // 4096 tokens: 2^32 logits
  CHECK(e.activations == 4096 * model_family(m).activations_per_token(m) * 4 + 8 * kLmHeadChunkLogits);
}

TEST_CASE("byte counts are printed with binary prefixes", "[core][spec][memory]") {
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(3.0 * (1ull << 30)) == "3 GiB");
  CHECK(format_bytes(1e21) == "867 EiB");
}

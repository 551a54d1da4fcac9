// The analytic FLOPs formula against an independent count: every matrix product the
// forward pass actually executes is observed through ATen's RecordFunction hooks and
// its multiply-adds are counted from the real input shapes.
#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "core/model/gpt.h"
#include "core/model/width_chooser.h"
#include "core/spec/flops.h"
#include "core/spec/routing_regime.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;

namespace {

struct ExecutedFlops {
  double total = 0;
  int sdpa_depth = 0;  // products inside attention are counted once, by the SDPA rule
};
thread_local ExecutedFlops* counter = nullptr;

double numel_product(const std::vector<int64_t>& dims) {
  double p = 1;
  for (int64_t d : dims) p *= static_cast<double>(d);
  return p;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (counter == nullptr) return nullptr;
  const std::string name = fn.name();
  const auto inputs = fn.inputs();
  if (name == "aten::scaled_dot_product_attention") {
    // q: [B, H, T, hd]; causal: query t meets t + 1 keys, for scores and for values.
    auto q = inputs[0].toTensor().sizes();
    const double t = static_cast<double>(q[2]);
    if (counter->sdpa_depth == 0) counter->total += 2.0 * 2.0 * q[0] * q[1] * q[3] * t * (t + 1) / 2.0;
    ++counter->sdpa_depth;
    return nullptr;
  }
  if (counter->sdpa_depth > 0) return nullptr;
  if (name == "aten::mm") {
    auto a = inputs[0].toTensor().sizes(), b = inputs[1].toTensor().sizes();
    counter->total += 2.0 * numel_product({a[0], a[1], b[1]});
  } else if (name == "aten::addmm") {
    auto a = inputs[1].toTensor().sizes(), b = inputs[2].toTensor().sizes();
    counter->total += 2.0 * numel_product({a[0], a[1], b[1]});
  } else if (name == "aten::bmm") {
    auto a = inputs[0].toTensor().sizes(), b = inputs[1].toTensor().sizes();
    counter->total += 2.0 * numel_product({a[0], a[1], a[2], b[2]});
  }
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
  if (counter != nullptr && std::string(fn.name()) == "aten::scaled_dot_product_attention") --counter->sdpa_depth;
}

double count_forward_flops(Gpt& model, const at::Tensor& tokens, const WidthChooser& widths, int64_t& hidden_units) {
  ExecutedFlops flops;
  counter = &flops;
  auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(on_start, on_end).needsInputs(true).scopes({at::RecordScope::FUNCTION}));
  ForwardContext context;
  context.widths = &widths;
  context.collect_stats = true;
  ForwardResult out;
  {
    c10::AutoGradMode no_grad(false);
    out = model.forward(tokens, context);
  }
  at::removeCallback(handle);
  counter = nullptr;
  hidden_units = 0;
  for (const auto& s : read_usage(out.moe_usage)) hidden_units += s.hidden_units;
  return flops.total;
}

// A small model whose every product is counted: 97 tokens, d_model 16, 4 experts of 24.
ModelConfig counted_model(int n_layer) {
  ModelConfig config;
  config.vocab_size = 97;
  config.n_layer = n_layer;
  config.n_head = 2;
  config.d_model = 16;
  config.seq_len = 12;
  config.n_experts = 4;
  config.d_ff = 24;
  config.dense_d_ff = 20;
  return config;
}

}  // namespace

TEST_CASE("FLOPs formula equals the executed multiply-adds", "[core][flops]") {
  for (const char* activation : {"gelu", "swiglu"}) {
    ModelConfig config = counted_model(3);
    config.moe_stride = 2;  // layers 1 is MoE; 0 and 2 dense
    config.activation = activation;
    config.router.top_k = 2;
    config.router.capacity_factor_eval = 0.75;  // some assignments are dropped and must not count
    Gpt model(config, 5);
    at::Generator g = at::detail::createCPUGenerator(9);
    at::Tensor tokens = at::randint(config.vocab_size, {3, config.seq_len}, g, at::kLong);
    RandomAssignmentWidth widths({0.25, 0.5, 1.0}, at::detail::createCPUGenerator(4));
    int64_t hidden_units = 0;
    const double executed = count_forward_flops(model, tokens, widths, hidden_units);
    const int64_t n_tokens = tokens.numel();
    FlopsBreakdown f = flops_per_token(config, config.seq_len, hidden_units, n_tokens);
    INFO(activation);
    CHECK(f.total() * n_tokens == Approx(executed).epsilon(1e-9));
    CHECK(hidden_units < 2 * n_tokens * config.d_ff);  // drops and slim widths really reduced work
  }
}

TEST_CASE("FLOPs breakdown by hand for a one-layer model", "[core][flops]") {
  ModelConfig c;
  c.vocab_size = 100;
  c.n_layer = 1;
  c.n_head = 1;
  c.d_model = 10;
  c.n_experts = 4;
  c.d_ff = 40;
  c.router.top_k = 2;
  // 8 tokens, every assignment at full width: 16 assignments x 40 units.
  FlopsBreakdown f = flops_per_token(c, 8, 16 * 40, 8);
  CHECK(f.attention_projections == 800);  // 8 d^2
  CHECK(f.attention_scores == 180);       // 2 d (T + 1)
  CHECK(f.router == 80);                  // 2 d E
  CHECK(f.experts == 3200);               // 4 d m k
  CHECK(f.dense_ffn == 0);
  CHECK(f.lm_head == 2000);  // 2 d V
  CHECK(f.training() == 3 * f.total());
  CHECK(full_width_expert_flops_per_token(c) == f.experts);
}

TEST_CASE("FLOPs formula equals the executed multiply-adds under every routing regime", "[core][flops][routing]") {
  for (const std::string& router : spec::router_regimes().names()) {
    ModelConfig config = counted_model(2);
    config.router.type = router;
    config.router.top_k = 2;
    config.router.options.set("model.router.granularity", 2);  // deepseek: shared experts count too
    config.router.options.set("model.router.null_experts",
                              3);  // null_experts: 7 router logits, no compute for null slots
    Gpt model(config, 5);
    at::Tensor tokens =
        at::randint(config.vocab_size, {3, config.seq_len}, at::detail::createCPUGenerator(9), at::kLong);
    RandomAssignmentWidth widths({0.25, 0.5, 1.0}, at::detail::createCPUGenerator(4));
    int64_t hidden_units = 0;
    const double executed = count_forward_flops(model, tokens, widths, hidden_units);
    const int64_t n_tokens = tokens.numel();
    INFO(router);
    CHECK(flops_per_token(config, config.seq_len, hidden_units, n_tokens).total() * n_tokens ==
          Approx(executed).epsilon(1e-9));
  }
}

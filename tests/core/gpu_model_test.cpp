// The model on the GPU (grouped expert kernels) computes what it computes on the CPU
// (reference expert path): logits, losses and every parameter gradient, under every routing
// regime, at one width (the synchronisation-free path) and at per-token widths. GPU machines
// only: skipped without a CUDA device.
#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <memory>

#include "core/model/gpt.h"
#include "core/model/width_chooser.h"
#include "core/spec/routing_regime.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using mose::core::testing::relative_error;

TEST_CASE("the model on CUDA equals the model on the CPU, gradients included", "[core][cuda]") {
  if (!testing::cuda_available_or_skip("GPU model comparison")) return;
  for (const std::string& router : spec::router_regimes().names()) {
    ModelConfig m = testing::tiny_model();
    m.router.type = router;
    at::Tensor tokens = at::randint(m.vocab_size, {2, m.seq_len}, at::detail::createCPUGenerator(5));
    for (bool uniform : {true, false}) {
      INFO(router << (uniform ? " at uniform width 0.5" : " at random per-assignment widths"));
      Gpt cpu_model(m, 3), gpu_model(m, 3);
      gpu_model.to(at::kCUDA);
      std::vector<ForwardResult> results;
      for (Gpt* model : {&cpu_model, &gpu_model}) {
        const bool on_gpu = model == &gpu_model;
        // A fresh chooser per pass: the random one draws from a CPU generator, the same draws each time.
        std::unique_ptr<WidthChooser> widths;
        if (uniform)
          widths = std::make_unique<UniformWidth>(0.5);
        else
          widths = std::make_unique<RandomAssignmentWidth>(std::vector<double>{0.25, 1.0},
                                                           at::detail::createCPUGenerator(4));
        ForwardContext context;
        context.widths = widths.get();
        ForwardResult out = model->forward(on_gpu ? tokens.cuda() : tokens, context);
        (out.logits.to(at::kDouble).pow(2).mean() + out.aux_loss).backward();
        results.push_back(out);
      }
      CHECK(relative_error(results[1].logits, results[0].logits) <= 1e-5);
      auto cpu_params = cpu_model.named_parameters(), gpu_params = gpu_model.named_parameters();
      for (const auto& item : cpu_params) {
        const at::Tensor& want = item.value().grad();
        const at::Tensor& got = gpu_params[item.key()].grad();
        INFO("gradient of " << item.key());
        REQUIRE(want.defined() == got.defined());
        if (want.defined()) CHECK(relative_error(got, want) <= 1e-4);
      }
    }
  }
}

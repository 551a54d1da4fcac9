// The model family's parameter count, which memory estimates multiply by 16 bytes,
// against the parameters of the model the engine really builds, under every routing
// regime, activation and position encoding.
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "core/model/language_model.h"
#include "core/spec/memory.h"
#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"

using namespace mose::core;

namespace {

double built_parameters(const spec::ModelConfig& config) {
  double n = 0;
  for (const auto& p : model::make_model(config, 1)->parameters()) n += static_cast<double>(p.numel());
  return n;
}

}  // namespace

TEST_CASE("the family's parameter count equals the built model's", "[core][memory]") {
  for (const std::string& router : spec::router_regimes().names()) {
    for (const char* activation : {"gelu", "swiglu"}) {
      for (const char* positions : {"learned", "rope"}) {
        spec::ModelConfig config;
        config.vocab_size = 97;
        config.n_layer = 3;
        config.moe_stride = 2;  // layer 1 is MoE, 0 and 2 dense
        config.n_head = 2;
        config.d_model = 16;
        config.seq_len = 12;
        config.n_experts = 4;
        config.d_ff = 24;
        config.dense_d_ff = 20;
        config.activation = activation;
        config.positions = positions;
        config.router.type = router;
        config.router.options.set("model.router.granularity", int64_t{2});  // deepseek: shared experts too
        INFO(router << ", " << activation << ", " << positions);
        CHECK(spec::model_family(config).parameters(config) == built_parameters(config));
      }
    }
  }
}

// Width sampler "random": one random pass per step, its widths drawn from W at
// train.width.granularity (one width for the step, per layer, per expert or per token).
#include "core/spec/config.h"
#include "core/spec/width_sampler.h"

namespace mose::core::spec {
namespace {

WidthSamplerKind random() {
  WidthSamplerKind kind;
  kind.name = "random";
  kind.summary = "one random pass per step, widths drawn from W at train.width.granularity";
  kind.passes_per_step = [](const WidthTrainingConfig&) { return 1.0; };
  return kind;
}

const Registration<WidthSamplerKind> kRegistered(width_samplers(), random());

}  // namespace
}  // namespace mose::core::spec

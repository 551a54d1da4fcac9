// Width sampler "all": every width of W each step, one uniform pass each, widest first.
#include "core/spec/config.h"
#include "core/spec/width_sampler.h"

namespace mose::core::spec {
namespace {

WidthSamplerKind all() {
  WidthSamplerKind kind;
  kind.name = "all";
  kind.summary = "every width in W each step, one uniform pass each (losses summed)";
  kind.passes_per_step = [](const WidthTrainingConfig& w) { return static_cast<double>(w.widths.size()); };
  return kind;
}

const Registration<WidthSamplerKind> kRegistered(width_samplers(), all());

}  // namespace
}  // namespace mose::core::spec

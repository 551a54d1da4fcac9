// The width-sampler registry (see width_sampler.h).
#include "core/spec/width_sampler.h"

#include "core/spec/config.h"

namespace mose::core::spec {

Registry<WidthSamplerKind>& width_samplers() {
  static Registry<WidthSamplerKind> registry("width sampler", "train.width.sampler");
  return registry;
}

const WidthSamplerKind& width_sampler(const WidthTrainingConfig& width) { return width_samplers().at(width.sampler); }

}  // namespace mose::core::spec

// Width sampler "sandwich" (Yu & Huang 2019, "Universally Slimmable Networks"): each
// step trains the widest width (1.0), the narrowest width of W, and n random passes
// whose widths are drawn from W at train.width.granularity.
#pragma once

#include "core/spec/config.h"

namespace mose::core::spec {

struct SandwichSampling {
  int random_passes;  // n = train.width.sandwich_random
};

SandwichSampling sandwich_sampling(const WidthTrainingConfig& width);

}  // namespace mose::core::spec

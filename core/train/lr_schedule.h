// Learning-rate schedule: linear warmup from 0 to lr over warmup_steps, then cosine or
// linear decay to lr * min_lr_ratio at the last step, or constant.
#pragma once

#include <cstdint>

#include "core/spec/config.h"

namespace mose::core::train {

double learning_rate_at(const spec::OptimConfig& optim, int64_t step, int64_t total_steps);

}  // namespace mose::core::train

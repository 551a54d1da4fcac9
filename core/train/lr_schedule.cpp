#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mose::core::train {

double learning_rate_at(const spec::OptimConfig& optim, int64_t step, int64_t total_steps) {
  if (step < optim.warmup_steps) {
    return optim.lr * static_cast<double>(step + 1) / static_cast<double>(optim.warmup_steps);
  }
  if (optim.schedule == "constant") return optim.lr;
  const double min_lr = optim.lr * optim.min_lr_ratio;
  const int64_t decay_steps = std::max<int64_t>(1, total_steps - optim.warmup_steps - 1);
  const double progress = std::clamp(static_cast<double>(step - optim.warmup_steps) / decay_steps, 0.0, 1.0);
  if (optim.schedule == "linear") return optim.lr + (min_lr - optim.lr) * progress;
  return min_lr + 0.5 * (optim.lr - min_lr) * (1.0 + std::cos(std::numbers::pi * progress));
}

}  // namespace mose::core::train

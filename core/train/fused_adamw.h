// AdamW whose step is one multi-tensor kernel per (device, dtype, step count) bucket
// (at::_fused_adamw_, CUDA and CPU) instead of about ten element-wise launches per
// parameter. On a GPU the per-parameter loop of torch::optim::AdamW costs more host time
// than a small model's update itself. The state is torch::optim::AdamW's own
// (AdamWParamState), so checkpoints written by either class load into the other.
#pragma once

#include <torch/optim/adamw.h>

#include <vector>

namespace mose::core::train {

class FusedAdamW : public torch::optim::AdamW {
 public:
  explicit FusedAdamW(const std::vector<torch::optim::OptimizerParamGroup>& param_groups,
                      torch::optim::AdamWOptions defaults = {})
      : torch::optim::AdamW(param_groups, std::move(defaults)) {}

  // Parameters without a gradient are skipped and keep their step count, as in AdamW.
  // A closure is not supported (nothing here evaluates the loss twice).
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace mose::core::train

// Gradient-norm clipping without a host synchronisation: the total norm stays a device
// scalar and the scale is applied by one multi-tensor multiply. torch::nn::utils::
// clip_grad_norm_ launches two kernels per parameter and returns the norm as a double,
// which waits for the whole backward pass to finish.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace mose::core::train {

// Scales the gradients so that their joint 2-norm is at most max_norm (no scaling when
// max_norm <= 0) and returns the 2-norm before clipping as a 0-dim fp32 tensor on the
// gradients' device. Parameters without a gradient are ignored; none at all gives 0.
at::Tensor clip_grad_norm(const std::vector<at::Tensor>& parameters, double max_norm);

}  // namespace mose::core::train

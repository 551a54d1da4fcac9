#include "core/train/grad_clip.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace mose::core::train {

at::Tensor clip_grad_norm(const std::vector<at::Tensor>& parameters, double max_norm) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return at::zeros({}, at::kFloat);
  // Per-tensor norms in fp32 whatever the gradient dtype, then the norm of the norms.
  std::vector<at::Tensor> norms = at::_foreach_norm(grads, 2, at::kFloat);
  at::Tensor total = at::linalg_vector_norm(at::stack(norms), 2);
  if (max_norm > 0) {
    // Same factor as torch::nn::utils::clip_grad_norm_: max_norm / (norm + 1e-6), at most 1.
    at::Tensor scale = at::clamp_max(at::reciprocal(total + 1e-6) * max_norm, 1.0);
    at::_foreach_mul_(grads, scale);
  }
  return total;
}

}  // namespace mose::core::train

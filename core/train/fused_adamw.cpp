#include "core/train/fused_adamw.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <map>
#include <tuple>

namespace mose::core::train {
namespace {

// Tensors of one _fused_adamw_ call: same device and dtype, same step count, so that one
// step tensor serves them all (the kernel only reads it).
struct Bucket {
  std::vector<at::Tensor> params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs;
  std::vector<torch::optim::AdamWParamState*> states;
};

using BucketKey = std::tuple<c10::DeviceType, c10::DeviceIndex, at::ScalarType, int64_t>;

}  // namespace

torch::Tensor FusedAdamW::step(LossClosure closure) {
  TORCH_CHECK(!closure, "FusedAdamW::step: closures are not supported");
  c10::NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    std::map<BucketKey, Bucket> buckets;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      TORCH_CHECK(!p.grad().is_sparse(), "FusedAdamW does not support sparse gradients");
      auto& slot = state_[p.unsafeGetTensorImpl()];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(at::zeros_like(p, at::MemoryFormat::Preserve));
        fresh->exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        if (options.amsgrad()) fresh->max_exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& state = static_cast<torch::optim::AdamWParamState&>(*slot);
      Bucket& b = buckets[{p.device().type(), p.device().index(), p.scalar_type(), state.step()}];
      b.params.push_back(p);
      b.grads.push_back(p.grad());
      b.exp_avgs.push_back(state.exp_avg());
      b.exp_avg_sqs.push_back(state.exp_avg_sq());
      if (options.amsgrad()) b.max_exp_avg_sqs.push_back(state.max_exp_avg_sq());
      b.states.push_back(&state);
    }
    const auto [beta1, beta2] = options.betas();
    for (auto& [key, b] : buckets) {
      const int64_t next_step = std::get<3>(key) + 1;
      // One fill on the parameters' device: the count is known on the host.
      at::Tensor step_count =
          at::full({}, static_cast<double>(next_step), b.params.front().options().dtype(at::kFloat));
      std::vector<at::Tensor> steps(b.params.size(), step_count);
      at::_fused_adamw_(b.params, b.grads, b.exp_avgs, b.exp_avg_sqs, b.max_exp_avg_sqs, steps, options.lr(), beta1,
                        beta2, options.weight_decay(), options.eps(), options.amsgrad(), /*maximize=*/false);
      for (auto* state : b.states) state->step(next_step);
    }
  }
  return {};
}

}  // namespace mose::core::train

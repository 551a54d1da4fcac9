// A mixture of slimmable experts: router + E experts whose hidden layer is nested,
// evaluated through kernels::slim_moe_ffn at the widths a WidthChooser picks.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "core/model/forward_context.h"
#include "core/model/routing.h"
#include "kernels/slim_moe.h"

namespace mose::core {

class MoeLayer : public torch::nn::Module {
 public:
  MoeLayer(const ModelConfig& config, int moe_index, at::Generator& init);

  // x: [T, d_model] -> [T, d_model]. Adds this layer's aux losses and (when asked) stats to `out`.
  at::Tensor forward(const at::Tensor& x, const ForwardContext& context, ForwardResult& out);

  const std::shared_ptr<Router>& router() const { return router_; }
  int64_t d_ff() const { return w_in_.size(2); }

 private:
  int moe_index_;
  kernels::Activation activation_;
  std::shared_ptr<Router> router_;
  at::Tensor w_in_;    // [E, d_model, d_ff]
  at::Tensor w_gate_;  // [E, d_model, d_ff] (SwiGLU only)
  at::Tensor w_out_;   // [E, d_ff, d_model]
};

}  // namespace mose::core

// A mixture of slimmable experts: router + routed experts (+ shared experts for DeepSeekMoE)
// whose hidden layer is nested, evaluated through kernels::slim_moe_ffn at the widths a
// WidthChooser picks.
//
// Shared experts (model.router.type = "deepseek") process every token. When
// router.shared_slimmable is on they run at the token's mean routed width,
// m_shared = round(mean_j m_j) over its computed routed assignments (full width when it has
// none), so a width budget scales them too; otherwise they always run at full width.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "core/model/forward_context.h"
#include "core/model/routing.h"
#include "kernels/slim_moe.h"

namespace mose::core::model {

class MoeLayer : public torch::nn::Module {
 public:
  MoeLayer(const spec::ModelConfig& config, int moe_index, at::Generator& init);

  // x: [T, d_model] -> [T, d_model]. Adds this layer's aux losses and (when asked) stats to `out`.
  at::Tensor forward(const at::Tensor& x, const RouteOptions& route, const ForwardContext& context, ForwardResult& out);

  const std::shared_ptr<Router>& router() const { return router_; }
  int64_t d_ff() const { return w_in_.size(2); }  // hidden units of one expert at width 1.0

 private:
  at::Tensor shared_forward(const at::Tensor& x, const RoutingDecision& routing, const at::Tensor& hidden,
                            at::Tensor& shared_hidden) const;

  int moe_index_;
  bool shared_slimmable_ = false;
  kernels::Activation activation_;
  std::shared_ptr<Router> router_;
  at::Tensor w_in_;                // [E, d_model, d_ff]
  at::Tensor w_gate_;              // [E, d_model, d_ff] (SwiGLU only)
  at::Tensor w_out_;               // [E, d_ff, d_model]
  kernels::ExpertWeights shared_;  // [K_s, ...] shared experts; undefined without them
};

}  // namespace mose::core::model

#include "core/model/gpt.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "core/model/autocast_guard.h"
#include "core/model/soft_topk_router.h"
#include "core/model/width_chooser.h"
#include "core/spec/router_soft_topk.h"

namespace mose::core::model {

Gpt::Gpt(const spec::ModelConfig& config, uint64_t seed) : config_(config) {
  config.validate();
  TORCH_CHECK(config.vocab_size > 0, "Gpt: model.vocab_size must be resolved from the data before building");
  at::Generator init = at::detail::createCPUGenerator(seed);
  const int64_t d = config.d_model;
  wte_ = register_parameter("wte", at::empty({config.vocab_size, d}).normal_(0.0, 0.02, init));
  if (config.positions == "learned") {
    wpe_ = register_parameter("wpe", at::empty({config.seq_len, d}).normal_(0.0, 0.02, init));
  }
  int moe_index = 0;
  for (int i = 0; i < config.n_layer; ++i) {
    auto block = register_module(fmt::format("h{}", i), std::make_shared<Block>(config, i, moe_index, init));
    if (block->moe) {
      moe_layers_.push_back(block->moe);
      ++moe_index;
    }
    blocks_.push_back(std::move(block));
  }
  lnf_weight_ = register_parameter("lnf_weight", at::ones({d}));
  lnf_bias_ = register_parameter("lnf_bias", at::zeros({d}));
  if (spec::learns_k(config.router)) {
    soft_k_logits_ = register_parameter("soft_k_logits", at::zeros({config.n_moe_layers()}));
  }
}

at::Tensor Gpt::soft_topk_budgets() const {
  if (!soft_k_logits_.defined()) return {};
  return soft_topk_layer_budgets(soft_k_logits_, config_.router.top_k, config_.routed_experts());
}

Gpt::Block::Block(const spec::ModelConfig& config, int layer, int moe_index, at::Generator& init) {
  const int64_t d = config.d_model;
  ln1_weight = register_parameter("ln1_weight", at::ones({d}));
  ln1_bias = register_parameter("ln1_bias", at::zeros({d}));
  ln2_weight = register_parameter("ln2_weight", at::ones({d}));
  ln2_bias = register_parameter("ln2_bias", at::zeros({d}));
  attention = register_module("attn", std::make_shared<CausalSelfAttention>(config, init));
  if (config.is_moe_layer(layer)) {
    moe = register_module("moe", std::make_shared<MoeLayer>(config, moe_index, init));
  } else {
    dense = register_module("ffn", std::make_shared<DenseFfn>(config, init));
  }
}

ForwardResult Gpt::forward(const at::Tensor& tokens, const ForwardContext& context) {
  TORCH_CHECK(tokens.dim() == 2 && tokens.scalar_type() == at::kLong, "Gpt: tokens must be [B, T] int64");
  TORCH_CHECK(tokens.size(1) <= config_.seq_len, "Gpt: sequence of ", tokens.size(1), " > seq_len ", config_.seq_len);
  TORCH_CHECK(context.widths != nullptr, "Gpt: ForwardContext.widths is required");
  const int64_t b = tokens.size(0), t = tokens.size(1), d = config_.d_model;
  ForwardResult out;
  at::Tensor x = at::embedding(wte_, tokens);
  if (wpe_.defined()) x = x + wpe_.narrow(0, 0, t);
  RouteOptions route;
  route.training = context.training;
  route.generator = context.generator;
  // One value per forward pass for draws every layer must share; reading the seed does not
  // advance the generator, so the noise stream is unchanged.
  if (context.generator) route.pass_seed = context.generator->current_seed();
  route.group_size = t;  // one sequence per routing group
  const at::Tensor budgets = soft_topk_budgets();
  int moe_index = 0;
  for (const auto& block : blocks_) {
    x = x + block->attention->forward(at::layer_norm(x, {d}, block->ln1_weight, block->ln1_bias));
    at::Tensor h = at::layer_norm(x, {d}, block->ln2_weight, block->ln2_bias);
    if (block->moe) {
      if (budgets.defined()) route.layer_k = budgets[moe_index];
      x = x + block->moe->forward(h.reshape({b * t, d}), route, context, out).view({b, t, d});
      ++moe_index;
    } else {
      x = x + block->dense->forward(h);
    }
  }
  at::Tensor final_hidden = at::layer_norm(x, {d}, lnf_weight_, lnf_bias_);
  if (context.skip_lm_head)
    out.final_hidden = final_hidden;
  else
    out.logits = at::linear(final_hidden, wte_);
  if (!out.aux_loss.defined()) {  // a model with no MoE layer
    out.aux_loss = out.balance_loss = out.z_loss = at::zeros({}, x.options().dtype(at::kFloat));
  }
  return out;
}

namespace {

std::shared_ptr<LanguageModel> make_gpt(const spec::ModelConfig& config, uint64_t seed) {
  return std::make_shared<Gpt>(config, seed);
}

const spec::Registration<ModelFactory> kRegistered(model_factories(), {"gpt", make_gpt});

}  // namespace

}  // namespace mose::core::model

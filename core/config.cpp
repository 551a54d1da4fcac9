// Validation of the engine configuration. Messages name the field (recipe key path)
// and what was expected, so a recipe error can be traced to its key.
#include "core/config.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"

namespace mose::core {
namespace {

template <typename T>
void require(bool ok, const char* field, T value, const char* expected) {
  if (!ok) throw ConfigError(fmt::format("{} = {}: expected {}", field, value, expected));
}

void require_one_of(const std::string& value, const char* field, std::initializer_list<const char*> known) {
  for (const char* k : known)
    if (value == k) return;
  std::string list;
  for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
  throw ConfigError(fmt::format("{} = '{}': expected one of {}", field, value, list));
}

}  // namespace

int ModelConfig::n_moe_layers() const {
  int n = 0;
  for (int i = 0; i < n_layer; ++i) n += is_moe_layer(i) ? 1 : 0;
  return n;
}

void ModelConfig::validate() const {
  require(vocab_size == 0 || vocab_size >= 2, "model.vocab_size", vocab_size, "0 (from the data) or at least 2");
  require(n_layer >= 1, "model.n_layer", n_layer, "at least 1");
  require(n_head >= 1, "model.n_head", n_head, "at least 1");
  require(d_model >= 1 && d_model % n_head == 0, "model.d_model", d_model, "a positive multiple of model.n_head");
  require(positions != "rope" || (d_model / n_head) % 2 == 0, "model.d_model", d_model,
          "an even head size (d_model / n_head) for rope");
  require(seq_len >= 1, "model.seq_len", seq_len, "at least 1");
  require_one_of(positions, "model.positions", {"learned", "rope"});
  require_one_of(activation, "model.activation", {"gelu", "swiglu"});
  require(n_experts >= 1, "model.n_experts", n_experts, "at least 1");
  require(d_ff >= 1, "model.d_ff", d_ff, "at least 1");
  require(dense_d_ff >= 1, "model.dense_d_ff", dense_d_ff, "at least 1");
  require(moe_stride >= 1, "model.moe_stride", moe_stride, "at least 1");
  require(n_moe_layers() >= 1, "model.moe_stride", moe_stride, "at most model.n_layer (a model needs an MoE layer)");
  require(router.top_k >= 1 && router.top_k <= n_experts, "model.router.top_k", router.top_k,
          "between 1 and model.n_experts");
  require(router.noise_std >= 0, "model.router.noise_std", router.noise_std, "non-negative");
  require(router.capacity_factor_train >= 0, "model.router.capacity_factor_train", router.capacity_factor_train,
          "non-negative (0 = no dropping)");
  require(router.capacity_factor_eval >= 0, "model.router.capacity_factor_eval", router.capacity_factor_eval,
          "non-negative (0 = no dropping)");
  require(router.balance_loss_coef >= 0, "model.router.balance_loss_coef", router.balance_loss_coef, "non-negative");
  require(router.z_loss_coef >= 0, "model.router.z_loss_coef", router.z_loss_coef, "non-negative");
}

void WidthTrainingConfig::validate() const {
  require(!widths.empty(), "train.width.widths", "[]", "a non-empty list");
  for (double w : widths) require(w > 0 && w <= 1, "train.width.widths", w, "every width in (0, 1]");
  require(std::is_sorted(widths.begin(), widths.end()) &&
              std::adjacent_find(widths.begin(), widths.end()) == widths.end(),
          "train.width.widths", fmt::format("{}", widths.size()), "strictly increasing widths");
  require(widths.back() == 1.0, "train.width.widths", widths.back(), "the largest width to be 1.0");
  require_one_of(sampler, "train.width.sampler", {"all", "sandwich", "random"});
  require(sandwich_random >= 0, "train.width.sandwich_random", sandwich_random, "non-negative");
  require_one_of(granularity, "train.width.granularity", {"step", "layer", "expert", "token"});
  require(distill_weight >= 0 && distill_weight <= 1, "train.width.distill_weight", distill_weight, "in [0, 1]");
}

void OptimConfig::validate() const {
  require(lr > 0, "train.optim.lr", lr, "positive");
  require(min_lr_ratio >= 0 && min_lr_ratio <= 1, "train.optim.min_lr_ratio", min_lr_ratio, "in [0, 1]");
  require(warmup_steps >= 0, "train.optim.warmup_steps", warmup_steps, "non-negative");
  require_one_of(schedule, "train.optim.schedule", {"cosine", "linear", "constant"});
  require(weight_decay >= 0, "train.optim.weight_decay", weight_decay, "non-negative");
  require(beta1 >= 0 && beta1 < 1, "train.optim.beta1", beta1, "in [0, 1)");
  require(beta2 >= 0 && beta2 < 1, "train.optim.beta2", beta2, "in [0, 1)");
  require(eps > 0, "train.optim.eps", eps, "positive");
  require(grad_clip >= 0, "train.optim.grad_clip", grad_clip, "non-negative (0 = off)");
}

void TrainConfig::validate() const {
  require(steps >= 1, "train.steps", steps, "at least 1");
  require(batch_size >= 1, "train.batch_size", batch_size, "at least 1");
  require(grad_accum >= 1, "train.grad_accum", grad_accum, "at least 1");
  require(device == "auto" || device == "cpu" || device.rfind("cuda", 0) == 0, "train.device", device,
          "auto, cpu, cuda or cuda:N");
  require(log_every >= 1, "train.log_every", log_every, "at least 1");
  require(checkpoint_every >= 0, "train.checkpoint_every", checkpoint_every, "non-negative (0 = at the end only)");
  optim.validate();
  width.validate();
}

void EvalConfig::validate() const {
  require(tokens >= 1, "eval.tokens", tokens, "at least 1");
  require(batch_size >= 1, "eval.batch_size", batch_size, "at least 1");
}

void RunConfig::validate() const {
  data.validate();
  model.validate();
  train.validate();
  eval.validate();
}

}  // namespace mose::core

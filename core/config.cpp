// Validation of the engine configuration. Messages name the field (recipe key path)
// and what was expected, so a recipe error can be traced to its key.
#include "core/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

const std::vector<std::string>& router_types() {
  static const std::vector<std::string> types = {"topk",         "expert_choice", "deepseek", "top_p",
                                                 "null_experts", "random_k",      "soft_topk"};
  return types;
}

int ModelConfig::n_moe_layers() const {
  int n = 0;
  for (int i = 0; i < n_layer; ++i) n += is_moe_layer(i) ? 1 : 0;
  return n;
}

bool ModelConfig::is_deepseek() const { return router.type == "deepseek"; }

int ModelConfig::routed_experts() const {
  return is_deepseek() ? n_experts * router.granularity - router.shared_experts : n_experts;
}

int ModelConfig::expert_d_ff() const { return is_deepseek() ? d_ff / router.granularity : d_ff; }

int ModelConfig::shared_experts() const { return is_deepseek() ? router.shared_experts : 0; }

int ModelConfig::router_outputs() const {
  return routed_experts() + (router.type == "null_experts" ? router.null_experts : 0);
}

double ModelConfig::nominal_experts_per_token() const {
  if (router.type == "expert_choice") return router.expert_capacity;
  if (router.type == "deepseek") return static_cast<double>(router.granularity) * router.top_k;
  return router.top_k;
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
  validate_router();
}

void ModelConfig::validate_router() const {
  const RouterConfig& r = router;
  const std::vector<std::string>& types = router_types();
  if (std::find(types.begin(), types.end(), r.type) == types.end()) {
    throw ConfigError(fmt::format("model.router.type = '{}': unknown router; known: {}", r.type, fmt::join(types, ", ")));
  }
  if (r.type == "null_experts") {
    require(r.null_experts >= 1, "model.router.null_experts", r.null_experts, "at least 1");
    require(r.top_k >= 1 && r.top_k <= n_experts + r.null_experts, "model.router.top_k", r.top_k,
            "between 1 and model.n_experts + model.router.null_experts");
    require(r.null_target >= 0 && r.null_target < 1, "model.router.null_target", r.null_target, "in [0, 1)");
    require(r.null_loss_coef >= 0, "model.router.null_loss_coef", r.null_loss_coef, "non-negative");
  } else if (r.type == "deepseek") {
    require(r.granularity >= 1 && d_ff % r.granularity == 0, "model.router.granularity", r.granularity,
            "a positive divisor of model.d_ff");
    require(r.shared_experts >= 0 && r.shared_experts < r.granularity * r.top_k, "model.router.shared_experts",
            r.shared_experts, "in [0, granularity * top_k)");
    require(r.top_k >= 1 && r.top_k <= n_experts, "model.router.top_k", r.top_k, "between 1 and model.n_experts");
  } else if (r.type != "expert_choice") {
    require(r.top_k >= 1 && r.top_k <= n_experts, "model.router.top_k", r.top_k, "between 1 and model.n_experts");
  }
  if (r.type == "expert_choice") {
    require(r.expert_capacity > 0 && r.expert_capacity <= n_experts, "model.router.expert_capacity",
            r.expert_capacity, "in (0, model.n_experts]");
  }
  if (r.type == "top_p") {
    require(r.top_p > 0 && r.top_p <= 1, "model.router.top_p", r.top_p, "in (0, 1]");
    require(r.entropy_loss_coef >= 0, "model.router.entropy_loss_coef", r.entropy_loss_coef, "non-negative");
  }
  if (r.type == "random_k") {
    require(r.k_min >= 1, "model.router.k_min", r.k_min, "at least 1");
    require(r.k_max >= r.k_min && r.k_max <= n_experts, "model.router.k_max", r.k_max,
            "between model.router.k_min and model.n_experts");
    require_one_of(r.k_granularity, "model.router.k_granularity", {"batch", "layer"});
  }
  if (r.type == "soft_topk") {
    require(r.soft_alpha > 0, "model.router.soft_alpha", r.soft_alpha, "positive");
    require(r.soft_threshold > 0 && r.soft_threshold < 1, "model.router.soft_threshold", r.soft_threshold,
            "in (0, 1)");
    require(r.top_k < n_experts, "model.router.top_k", r.top_k, "below model.n_experts (a soft budget must leave room)");
  }
  require(r.noise_std >= 0, "model.router.noise_std", r.noise_std, "non-negative");
  const bool drops = r.type == "topk" || r.type == "deepseek" || r.type == "random_k";
  require(drops || (r.capacity_factor_train == 0 && r.capacity_factor_eval == 0), "model.router.capacity_factor_train",
          fmt::format("{} (eval {})", r.capacity_factor_train, r.capacity_factor_eval),
          "0 for this router: capacity dropping applies to topk, deepseek and random_k");
  require(r.capacity_factor_train >= 0, "model.router.capacity_factor_train", r.capacity_factor_train,
          "non-negative (0 = no dropping)");
  require(r.capacity_factor_eval >= 0, "model.router.capacity_factor_eval", r.capacity_factor_eval,
          "non-negative (0 = no dropping)");
  require(r.balance_loss_coef >= 0, "model.router.balance_loss_coef", r.balance_loss_coef, "non-negative");
  require(r.z_loss_coef >= 0, "model.router.z_loss_coef", r.z_loss_coef, "non-negative");
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
  for (const auto& task : tasks) {
    const std::string ext = task.extension().string();
    require(ext == ".jsonl" || ext == ".txt", "eval.tasks", task.string(),
            "a .jsonl (multiple choice) or .txt (last word) task file");
  }
}

void RunConfig::validate() const {
  data.validate();
  model.validate();
  train.validate();
  eval.validate();
}

}  // namespace mose::core

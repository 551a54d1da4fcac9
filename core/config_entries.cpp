#include "core/config_entries.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mose::core {
namespace {

// Shortest representation that round-trips ("0.1", "1e-05"): stable and exact.
std::string num(double v) { return fmt::format("{}", v); }
std::string num(int64_t v) { return fmt::format("{}", v); }
std::string num(int v) { return fmt::format("{}", v); }
std::string num(uint64_t v) { return fmt::format("{}", v); }
std::string flag(bool v) { return v ? "true" : "false"; }

void add_data(ConfigEntries& e, const data::DataConfig& d) {
  e.emplace_back("data.format", d.format);
  std::vector<std::string> sources;
  for (const auto& s : d.sources) sources.push_back(s.string());
  e.emplace_back("data.sources", fmt::format("[{}]", fmt::join(sources, ",")));
  e.emplace_back("data.tokenizer", d.tokenizer);
  e.emplace_back("data.tokenizer_model", d.tokenizer_model.string());
  e.emplace_back("data.val_fraction", num(d.val_fraction));
  e.emplace_back("data.max_bytes", num(d.max_bytes));
  e.emplace_back("data.split_block_bytes", num(d.split_block_bytes));
  e.emplace_back("data.max_tokenizer_sentences", num(d.max_tokenizer_sentences));
  e.emplace_back("data.nanogpt_dir", d.nanogpt_dir.string());
  e.emplace_back("data.token_dtype", d.token_dtype);
  e.emplace_back("data.vocab_size", num(d.vocab_size));
}

void add_model(ConfigEntries& e, const ModelConfig& m) {
  e.emplace_back("model.vocab_size", num(m.vocab_size));
  e.emplace_back("model.n_layer", num(m.n_layer));
  e.emplace_back("model.n_head", num(m.n_head));
  e.emplace_back("model.d_model", num(m.d_model));
  e.emplace_back("model.seq_len", num(m.seq_len));
  e.emplace_back("model.positions", m.positions);
  e.emplace_back("model.activation", m.activation);
  e.emplace_back("model.n_experts", num(m.n_experts));
  e.emplace_back("model.d_ff", num(m.d_ff));
  e.emplace_back("model.dense_d_ff", num(m.dense_d_ff));
  e.emplace_back("model.moe_stride", num(m.moe_stride));
  const RouterConfig& r = m.router;
  e.emplace_back("model.router.type", r.type);
  e.emplace_back("model.router.top_k", num(r.top_k));
  e.emplace_back("model.router.renormalize", flag(r.renormalize));
  e.emplace_back("model.router.noise_std", num(r.noise_std));
  e.emplace_back("model.router.capacity_factor_train", num(r.capacity_factor_train));
  e.emplace_back("model.router.capacity_factor_eval", num(r.capacity_factor_eval));
  e.emplace_back("model.router.balance_loss_coef", num(r.balance_loss_coef));
  e.emplace_back("model.router.z_loss_coef", num(r.z_loss_coef));
  // A regime's own fields join the identity only when that regime reads them, so adding a
  // regime never changes the hash of a trial that does not use it.
  if (r.type == "expert_choice") e.emplace_back("model.router.expert_capacity", num(r.expert_capacity));
  if (r.type == "deepseek") {
    e.emplace_back("model.router.granularity", num(r.granularity));
    e.emplace_back("model.router.shared_experts", num(r.shared_experts));
    e.emplace_back("model.router.shared_slimmable", flag(r.shared_slimmable));
  }
  if (r.type == "top_p") {
    e.emplace_back("model.router.top_p", num(r.top_p));
    e.emplace_back("model.router.entropy_loss_coef", num(r.entropy_loss_coef));
  }
  if (r.type == "null_experts") {
    e.emplace_back("model.router.null_experts", num(r.null_experts));
    e.emplace_back("model.router.null_target", num(r.null_target));
    e.emplace_back("model.router.null_loss_coef", num(r.null_loss_coef));
  }
  if (r.type == "random_k") {
    e.emplace_back("model.router.k_min", num(r.k_min));
    e.emplace_back("model.router.k_max", num(r.k_max));
    e.emplace_back("model.router.k_granularity", r.k_granularity);
  }
  if (r.type == "soft_topk") {
    e.emplace_back("model.router.soft_alpha", num(r.soft_alpha));
    e.emplace_back("model.router.soft_threshold", num(r.soft_threshold));
    e.emplace_back("model.router.learn_k", flag(r.learn_k));
  }
}

void add_train(ConfigEntries& e, const TrainConfig& t) {
  e.emplace_back("train.steps", num(t.steps));
  e.emplace_back("train.batch_size", num(t.batch_size));
  e.emplace_back("train.grad_accum", num(t.grad_accum));
  e.emplace_back("train.seed", num(t.seed));
  e.emplace_back("train.bf16_autocast", flag(t.bf16_autocast));
  const OptimConfig& o = t.optim;
  e.emplace_back("train.optim.lr", num(o.lr));
  e.emplace_back("train.optim.min_lr_ratio", num(o.min_lr_ratio));
  e.emplace_back("train.optim.warmup_steps", num(o.warmup_steps));
  e.emplace_back("train.optim.schedule", o.schedule);
  e.emplace_back("train.optim.weight_decay", num(o.weight_decay));
  e.emplace_back("train.optim.beta1", num(o.beta1));
  e.emplace_back("train.optim.beta2", num(o.beta2));
  e.emplace_back("train.optim.eps", num(o.eps));
  e.emplace_back("train.optim.grad_clip", num(o.grad_clip));
  const WidthTrainingConfig& w = t.width;
  e.emplace_back("train.width.widths", fmt::format("[{}]", fmt::join(w.widths, ",")));
  e.emplace_back("train.width.sampler", w.sampler);
  e.emplace_back("train.width.sandwich_random", num(w.sandwich_random));
  e.emplace_back("train.width.granularity", w.granularity);
  e.emplace_back("train.width.distill", flag(w.distill));
  e.emplace_back("train.width.distill_weight", num(w.distill_weight));
}

ConfigEntries training_entries(const RunConfig& config) {
  ConfigEntries e;
  add_data(e, config.data);
  add_model(e, config.model);
  add_train(e, config.train);
  return e;
}

}  // namespace

ConfigEntries config_entries(const RunConfig& config) {
  ConfigEntries e = training_entries(config);
  e.emplace_back("eval.tokens", num(config.eval.tokens));
  e.emplace_back("eval.batch_size", num(config.eval.batch_size));
  // Listed only when set, so configs without tasks keep their hashes.
  if (!config.eval.tasks.empty()) {
    std::vector<std::string> tasks;
    for (const auto& t : config.eval.tasks) tasks.push_back(t.string());
    e.emplace_back("eval.tasks", fmt::format("[{}]", fmt::join(tasks, ",")));
  }
  return e;
}

ConfigEntries execution_entries(const RunConfig& config) {
  return {{"train.device", config.train.device},
          {"train.log_every", num(config.train.log_every)},
          {"train.checkpoint_every", num(config.train.checkpoint_every)}};
}

std::string training_fingerprint(const RunConfig& config) {
  std::string text;
  for (const auto& [key, value] : training_entries(config)) text += key + "=" + value + "\n";
  return stable_hash(text);
}

std::string stable_hash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace mose::core

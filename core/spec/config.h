// Engine configuration: plain structs, parsed and validated once at the edge
// (a recipe, a test, a benchmark) and then passed down. No torch, no TOML here,
// so study/ and app/ can include this header cheaply. Every field is a row of the
// settings table (settings.h), which gives its key, range and meaning; validate()
// checks those ranges, then what each selected extension checks across settings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/data_config.h"
#include "core/spec/setting.h"

namespace mose::core::spec {

// How tokens choose experts: the regime `type` names (core/spec/routing_regime.h;
// recipes/README.md lists them) and the settings every regime reads. A regime's own
// settings (expert_choice's expert_capacity, deepseek's granularity, ...) are declared
// by its descriptor and live in `options`, read through the regime's typed view
// (core/spec/router_<name>.h).
struct RouterConfig {
  std::string type = "topk";
  int top_k = 2;                       // experts per token (regimes refine: expert_choice ignores it,
                                       // top_p caps with it, soft_topk takes it as the mean budget)
  bool renormalize = true;             // gates renormalised over the chosen experts (token-choice regimes)
  double noise_std = 0.0;              // std of Gaussian noise added to router logits in training
  double capacity_factor_train = 0.0;  // expert capacity = ceil(cf * tokens * k / E); 0 = no dropping
  double capacity_factor_eval = 0.0;
  double balance_loss_coef = 0.01;         // Switch (DeepSeek: expert-level) load-balancing loss weight
  double z_loss_coef = 0.001;              // router z-loss weight (ST-MoE)
  OwnedSettings options{"model.router."};  // the regimes' own settings
};

// A decoder of the family `family` names (core/spec/model_family.h; "gpt" is GPT-style,
// pre-LN) with MoE FFNs every `moe_stride` layers (layer i is MoE when (i + 1) %
// moe_stride == 0) and dense FFNs elsewhere. Experts are slimmable: at width w an expert
// uses its first round(w * d_ff) hidden units. A family's own settings live in `options`.
struct ModelConfig {
  std::string family = "gpt";
  int64_t vocab_size = 0;  // 0 = the data's vocabulary size
  int n_layer = 2;
  int n_head = 4;
  int d_model = 128;
  int seq_len = 128;                  // maximum context (learned positions table size)
  std::string positions = "learned";  // "learned" | "rope"
  std::string activation = "gelu";    // "gelu" | "swiglu" (experts and dense FFNs)
  int n_experts = 4;
  int d_ff = 512;        // expert hidden size at width 1.0
  int dense_d_ff = 512;  // hidden size of dense (non-MoE) FFN layers
  int moe_stride = 1;
  OwnedSettings options{"model."};  // the families' own settings
  RouterConfig router;

  bool is_moe_layer(int layer) const { return (layer + 1) % moe_stride == 0; }
  int n_moe_layers() const;
  // Expert structure after the routing regime reshapes it (deepseek splits experts).
  int routed_experts() const;                // experts the router chooses among
  int expert_d_ff() const;                   // hidden units of one expert at width 1.0
  int shared_experts() const;                // always-on experts (deepseek), 0 otherwise
  int router_outputs() const;                // router logits per token (null experts included)
  double nominal_experts_per_token() const;  // routed + shared experts a token uses by design
  void validate() const;                     // throws ConfigError naming the field
};

// Multi-width training. W = {1.0} is standard MoE training with the same engine.
// `sampler` names the width sampler (core/spec/width_sampler.h) that picks each step's
// passes; its own settings (sandwich's random passes) live in `options`.
struct WidthTrainingConfig {
  std::vector<double> widths = {0.25, 0.5, 0.75, 1.0};  // W, each in (0, 1]
  std::string sampler = "sandwich";
  std::string granularity = "step";       // random passes: one width per "step" | "layer" | "expert" | "token"
  bool distill = false;                   // in-place distillation from the widest pass
  double distill_weight = 1.0;            // slim loss = (1 - a) * CE + a * KL(full || slim)
  OwnedSettings options{"train.width."};  // the samplers' own settings

  bool is_standard_moe() const { return widths.size() == 1 && widths.front() == 1.0; }
  void validate() const;
};

struct OptimConfig {
  double lr = 3e-3;
  double min_lr_ratio = 0.1;  // final lr = lr * min_lr_ratio (cosine, linear)
  int64_t warmup_steps = 50;
  std::string schedule = "cosine";  // "cosine" | "linear" | "constant"
  double weight_decay = 0.1;        // on matrices only, as in GPT-2
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double grad_clip = 1.0;  // 0 = off
  void validate() const;
};

struct TrainConfig {
  int64_t steps = 300;
  int batch_size = 16;  // sequences per micro-batch
  int grad_accum = 1;   // micro-batches per optimizer step
  uint64_t seed = 1;
  std::string device = "auto";  // "auto" | "cpu" | "cuda" | "cuda:N"
  bool bf16_autocast = true;    // on CUDA only; CPU runs fp32
  // Intra-op CPU threads of each run (train_run and evaluate_run set them). Fixed per
  // trial, not per machine or worker count: CPU kernels split reductions by thread, so
  // the thread count changes the low bits of every result.
  int cpu_threads = 1;
  int64_t log_every = 50;
  int64_t checkpoint_every = 0;  // 0 = only at the end (when a path is set)
  std::string checkpoint_path;   // empty = no checkpoints
  OptimConfig optim;
  WidthTrainingConfig width;
  void validate() const;
};

struct EvalConfig {
  int64_t tokens = 16384;  // fixed validation token budget
  int batch_size = 16;
  // Zero-shot task files scored under every policy (core/data/task_data.h): .jsonl
  // multiple choice, .txt last word. Relative paths resolve against the working directory.
  std::vector<std::filesystem::path> tasks;
  void validate() const;
};

// Everything one training run needs.
struct RunConfig {
  data::DataConfig data;
  ModelConfig model;
  TrainConfig train;
  EvalConfig eval;
  void validate() const;
};

}  // namespace mose::core::spec

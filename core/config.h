// Engine configuration: plain structs, parsed and validated once at the edge
// (a recipe, a test, a benchmark) and then passed down. No torch, no TOML here,
// so study/ and app/ can include this header cheaply.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/data_config.h"

namespace mose::core {

// How tokens choose experts. `type` picks a routing regime from the registry
// (core/model/routing.h); each regime reads the fields its comment names.
//   topk           token choice, the k most probable experts (Shazeer 2017; Switch for k = 1)
//   expert_choice  each expert takes its top-C tokens of a sequence (Zhou et al. 2022)
//   deepseek       fine-grained + shared experts (DeepSeekMoE, Dai et al. 2024)
//   top_p          fewest experts whose probabilities reach p, at most top_k (Huang et al. 2024)
//   null_experts   top-k over real + zero-compute null experts (AdaMoE, Zeng et al. 2024)
//   random_k       k drawn in [k_min, k_max] in training, top_k at inference (Matryoshka MoE)
//   soft_topk      Laplace soft top-k with a learned per-layer k (LapSum relaxation)
struct RouterConfig {
  std::string type = "topk";
  int top_k = 2;                        // topk, deepseek, null_experts, random_k (inference): experts per token;
                                        // top_p: the cap k_max; soft_topk: the mean budget K over layers
  bool renormalize = true;              // gates renormalised over the chosen experts (token-choice regimes)
  double noise_std = 0.0;               // std of Gaussian noise added to router logits in training
  double capacity_factor_train = 0.0;   // expert capacity = ceil(cf * tokens * k / E); 0 = no dropping
  double capacity_factor_eval = 0.0;
  double balance_loss_coef = 0.01;      // Switch (DeepSeek: expert-level) load-balancing loss weight
  double z_loss_coef = 0.001;           // router z-loss weight (ST-MoE)
  // expert_choice
  double expert_capacity = 2.0;         // c: each expert takes C = ceil(c * S / E) tokens of each sequence
                                        // (S tokens), so c experts per token on average
  // deepseek: E experts become m*E of d_ff/m hidden units; K_s of them are shared (always on)
  // and the other m*E - K_s are routed, top-(m*top_k - K_s): m*top_k fine experts per token.
  int granularity = 4;                  // m
  int shared_experts = 1;               // K_s
  bool shared_slimmable = true;         // shared experts run at the token's mean routed width (else full)
  // top_p
  double top_p = 0.5;                   // probability mass the chosen experts must reach
  double entropy_loss_coef = 0.0;       // weight of the router-entropy regulariser (lower entropy, fewer experts)
  // null_experts
  int null_experts = 2;                 // n zero-compute experts added to the E real ones
  double null_target = 0.25;            // share of the top_k slots the null loss steers to null experts
  double null_loss_coef = 0.01;
  // random_k
  int k_min = 1;
  int k_max = 4;
  std::string k_granularity = "batch";  // "batch": one k per forward pass; "layer": one k per layer and pass
  // soft_topk
  double soft_alpha = 0.1;              // Laplace CDF scale on per-token standardised logits
  double soft_threshold = 0.5;          // experts with soft weight below this do not run
  bool learn_k = true;                  // per-layer k learned (mean fixed to top_k); false = top_k everywhere
};

// The routing regimes RouterConfig::type may name, in the order messages list them.
const std::vector<std::string>& router_types();

// A GPT-style decoder with MoE FFNs every `moe_stride` layers (layer i is MoE when
// (i + 1) % moe_stride == 0) and dense FFNs elsewhere. Experts are slimmable:
// at width w an expert uses its first round(w * d_ff) hidden units.
struct ModelConfig {
  int64_t vocab_size = 0;               // 0 = the data's vocabulary size
  int n_layer = 2;
  int n_head = 4;
  int d_model = 128;
  int seq_len = 128;                    // maximum context (learned positions table size)
  std::string positions = "learned";    // "learned" | "rope"
  std::string activation = "gelu";      // "gelu" | "swiglu" (experts and dense FFNs)
  int n_experts = 4;
  int d_ff = 512;                       // expert hidden size at width 1.0
  int dense_d_ff = 512;                 // hidden size of dense (non-MoE) FFN layers
  int moe_stride = 1;
  RouterConfig router;

  bool is_moe_layer(int layer) const { return (layer + 1) % moe_stride == 0; }
  int n_moe_layers() const;
  // Expert structure after the routing regime reshapes it (deepseek splits experts).
  int routed_experts() const;           // experts the router chooses among
  int expert_d_ff() const;              // hidden units of one expert at width 1.0
  int shared_experts() const;           // always-on experts (deepseek), 0 otherwise
  int router_outputs() const;           // router logits per token (null experts included)
  double nominal_experts_per_token() const;  // routed + shared experts a token uses by design
  void validate() const;                // throws ConfigError naming the field

 private:
  bool is_deepseek() const;
  void validate_router() const;
};

// Multi-width training. W = {1.0} is standard MoE training with the same engine.
struct WidthTrainingConfig {
  std::vector<double> widths = {0.25, 0.5, 0.75, 1.0};  // W, each in (0, 1]
  std::string sampler = "sandwich";     // "all" | "sandwich" | "random"
  int sandwich_random = 2;              // sandwich: max + min + this many random widths
  std::string granularity = "step";     // "step" | "layer" | "expert" | "token"
  bool distill = false;                 // in-place distillation from the widest pass
  double distill_weight = 1.0;          // slim loss = (1 - a) * CE + a * KL(full || slim)

  bool is_standard_moe() const { return widths.size() == 1 && widths.front() == 1.0; }
  void validate() const;
};

struct OptimConfig {
  double lr = 3e-3;
  double min_lr_ratio = 0.1;            // final lr = lr * min_lr_ratio (cosine, linear)
  int64_t warmup_steps = 50;
  std::string schedule = "cosine";      // "cosine" | "linear" | "constant"
  double weight_decay = 0.1;            // on matrices only, as in GPT-2
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double grad_clip = 1.0;               // 0 = off
  void validate() const;
};

struct TrainConfig {
  int64_t steps = 300;
  int batch_size = 16;                  // sequences per micro-batch
  int grad_accum = 1;                   // micro-batches per optimizer step
  uint64_t seed = 1;
  std::string device = "auto";          // "auto" | "cpu" | "cuda" | "cuda:N"
  bool bf16_autocast = true;            // on CUDA only; CPU runs fp32
  int64_t log_every = 50;
  int64_t checkpoint_every = 0;         // 0 = only at the end (when a path is set)
  std::string checkpoint_path;          // empty = no checkpoints
  OptimConfig optim;
  WidthTrainingConfig width;
  void validate() const;
};

struct EvalConfig {
  int64_t tokens = 16384;               // fixed validation token budget
  int batch_size = 16;
  // Zero-shot task files scored under every policy (core/eval/task_data.h): .jsonl
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

}  // namespace mose::core

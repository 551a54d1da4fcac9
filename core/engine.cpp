// The engine's facade (core/spec/engine.h) implemented with LibTorch: the one place the
// torch-free callers (study/runner, app/) reach the model, trainer and policies.
#include "core/spec/engine.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>

#include "base/errors.h"
#include "core/data/batch_sampler.h"
#include "core/data/dataset.h"
#include "core/data/unigram_baseline.h"
#include "core/device.h"
#include "core/eval/evaluate.h"
#include "core/eval/stop_poll.h"
#include "core/eval/task_eval.h"
#include "core/model/language_model.h"
#include "core/policy/width_policies.h"
#include "core/spec/routing_regime.h"
#include "core/spec/settings.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"

namespace mose::core {
namespace {

// Row-major int32 ids -> [rows, cols] int64 tensor.
at::Tensor to_tensor(const std::vector<int32_t>& ids, int64_t rows, int64_t cols) {
  return at::from_blob(const_cast<int32_t*>(ids.data()), {rows, cols}, at::kInt).to(at::kLong);
}

// The model's vocabulary follows the data unless the config names one at least as large.
spec::ModelConfig resolved_model(const spec::ModelConfig& model, const data::Dataset& dataset) {
  spec::ModelConfig m = model;
  if (m.vocab_size == 0) m.vocab_size = dataset.vocab_size();
  if (m.vocab_size < dataset.vocab_size()) {
    throw ConfigError(fmt::format("model.vocab_size = {}: smaller than the data's vocabulary ({})", m.vocab_size,
                                  dataset.vocab_size()));
  }
  return m;
}

at::Tensor validation_windows(const data::Dataset& dataset, int seq_len, int64_t first, int64_t count) {
  return to_tensor(data::validation_batch(dataset.val(), seq_len, first, static_cast<int>(count)), count, seq_len + 1);
}

// Calibration windows [0, C) and evaluation windows [C, C + N') for every policy (see
// evaluate_run in engine.h).
struct ValidationSplit {
  at::Tensor calibration;  // [C, seq_len + 1] or undefined
  at::Tensor evaluation;   // [N', seq_len + 1]
};

ValidationSplit split_validation(const data::Dataset& dataset, int seq_len, int64_t tokens) {
  const int64_t count = data::validation_window_count(dataset.val(), seq_len, tokens);
  const int64_t calibration = std::max<int64_t>(1, count / 4);
  const int64_t available = dataset.val().size() / (int64_t{seq_len} + 1);
  const int64_t evaluation = std::min(count, available - calibration);
  if (evaluation < 1) {
    throw DataError(
        fmt::format("validation file {}: {} windows of {} tokens leave none to evaluate after {} "
                    "calibration windows",
                    dataset.val().path().string(), available, seq_len + 1, calibration));
  }
  return {validation_windows(dataset, seq_len, 0, calibration),
          validation_windows(dataset, seq_len, calibration, evaluation)};
}

int64_t count_parameters(model::LanguageModel& model, bool experts_only) {
  int64_t n = 0;
  for (const auto& item : model.named_parameters()) {
    const bool expert = item.key().find(".moe.w_") != std::string::npos;
    if (!experts_only || expert) n += item.value().numel();
  }
  return n;
}

// Experts per token at inference for every MoE layer, for the regimes that serve any k.
void set_inference_k(model::LanguageModel& model, int k) {
  const std::string& type = model.config().router.type;
  if (!spec::router_regime(model.config()).serves_any_k) {
    std::vector<std::string> serving;
    for (const spec::RouterRegime& regime : spec::router_regimes().entries()) {
      if (regime.serves_any_k) serving.push_back(fmt::format("\"{}\"", regime.name));
    }
    throw ConfigError(fmt::format("policy.k = {}: choosing k at inference needs model.router.type = {}, not \"{}\"", k,
                                  fmt::join(serving, " or "), type));
  }
  for (const auto& layer : model.moe_layers()) layer->router()->set_inference_k(k);
}

// Empty when the achieved expert budget is within spec::kBudgetTolerance of the policy's
// target, else why not.
std::string budget_note(const spec::WidthPolicySpec& policy, const spec::LmEvalResult& r,
                        const spec::ModelConfig& model) {
  const double target = policy.target_budget();
  if (std::abs(r.expert_budget - target) <= spec::kBudgetTolerance * target) return "";
  const std::string why =
      policy.is_uniform()
          ? fmt::format("width {} is not close to a whole number of the expert's {} hidden units", policy.width,
                        model.expert_d_ff())
          : "widths are whole hidden units, and the evaluation windows' routing differs from the calibration "
            "windows' (calibration uses the first quarter of eval.tokens: raise eval.tokens)";
  return fmt::format("expert budget {:.4f} misses the target {} by {:+.2f}%: {}", r.expert_budget, target,
                     100.0 * (r.expert_budget / target - 1), why);
}

}  // namespace
}  // namespace mose::core

namespace mose::core::spec {

TrainSummary train_run(const RunConfig& config, const TrainHooks& hooks) {
  config.validate();
  at::set_num_threads(config.train.cpu_threads);
  data::Dataset dataset = data::Dataset::open(config.data);
  const ModelConfig model = resolved_model(config.model, dataset);
  const TrainConfig& train = config.train;
  train::BatchFn next_batch = [&](int64_t step, int micro) {
    return to_tensor(data::sample_batch(dataset.train(), train.seed, step, micro, train.batch_size, model.seq_len),
                     train.batch_size, model.seq_len + 1);
  };
  TrainSummary summary;
  summary.fingerprint = training_fingerprint(config);
  train::Trainer trainer(model, train, next_batch, summary.fingerprint);
  summary.outcome = trainer.run(hooks);
  summary.parameters = count_parameters(trainer.model(), false);
  summary.expert_parameters = count_parameters(trainer.model(), true);
  summary.vocab_size = model.vocab_size;
  summary.device = trainer.device().str();
  return summary;
}

LmEvalResult evaluate_run(const RunConfig& config, const std::string& checkpoint_path, const WidthPolicySpec& policy,
                          const EvalHooks& hooks) {
  const eval::StopPollScope stop_poll(hooks.stop_requested, checkpoint_path);
  config.validate();
  at::set_num_threads(config.train.cpu_threads);
  policy.validate();
  data::Dataset dataset = data::Dataset::open(config.data);
  const ModelConfig model_config = resolved_model(config.model, dataset);
  const std::shared_ptr<model::LanguageModel> model = model::make_model(model_config, config.train.seed);
  train::load_checkpoint(checkpoint_path, *model, nullptr, training_fingerprint(config));
  model->to(resolve_device(config.train.device));
  if (policy.experts_per_token > 0) set_inference_k(*model, policy.experts_per_token);
  const ValidationSplit split = split_validation(dataset, model_config.seq_len, config.eval.tokens);
  const auto widths = policy::make_width_policy(policy, *model, split.calibration, config.eval.batch_size);
  LmEvalResult result = eval::evaluate_lm(*model, split.evaluation, *widths, config.eval.batch_size);
  result.target_budget = policy.target_budget();
  result.budget_note = budget_note(policy, result, model_config);
  if (!config.eval.tasks.empty() && dataset.tokenizer() == nullptr) {
    throw ConfigError(
        "eval.tasks: task files are text and need a text corpus (data.format = \"text\"); "
        "a nanogpt dataset has no tokenizer");
  }
  for (const auto& task : config.eval.tasks) {
    result.tasks.push_back(eval::evaluate_task(*model, *dataset.tokenizer(), task, *widths, config.eval.batch_size));
  }
  return result;
}

EngineInfo engine_info() {
  EngineInfo info;
  info.torch_version = TORCH_VERSION;
  info.cuda_available = torch::cuda::is_available();
  info.cuda_devices = info.cuda_available ? static_cast<int>(torch::cuda::device_count()) : 0;
  info.cpu_threads = at::get_num_threads();
  return info;
}

double unigram_baseline_loss(const RunConfig& config) {
  data::Dataset dataset = data::Dataset::open(config.data);
  return data::unigram_cross_entropy(dataset.train(), dataset.val());
}

}  // namespace mose::core::spec

#include "core/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include "base/log.h"
#include "core/data/counter_rng.h"
#include "core/device.h"
#include "core/model/autocast_guard.h"
#include "core/model/lm_head_loss.h"
#include "core/train/checkpoint.h"
#include "core/train/fused_adamw.h"
#include "core/train/grad_clip.h"
#include "core/train/lr_schedule.h"

namespace mose::core::train {
namespace {

// Training randomness is keyed by (seed, step, micro-batch, pass, purpose): see counter_rng.h.
constexpr uint64_t kNoiseStream = 0x726f'7574'654e'6f69;  // "routeNoi"

using data::counter_hash;

// GPT-2 / nanoGPT: weight decay on matrices (dim >= 2), none on norms' vectors.
std::unique_ptr<FusedAdamW> make_optimizer(model::LanguageModel& model, const spec::OptimConfig& o) {
  std::vector<at::Tensor> decay, no_decay;
  for (auto& p : model.parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  auto options = torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(o.weight_decay);
  auto no_decay_options = std::make_unique<torch::optim::AdamWOptions>(options);
  no_decay_options->weight_decay(0.0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(options));
  groups.emplace_back(no_decay, std::move(no_decay_options));
  return std::make_unique<FusedAdamW>(std::move(groups), options);
}

// KL(teacher || student) per token, averaged: the in-place distillation loss.
at::Tensor distillation_loss(const at::Tensor& student_logits, const at::Tensor& teacher_logits) {
  model::AutocastDisabled fp32;
  at::Tensor log_student = at::log_softmax(student_logits.to(at::kFloat), -1);
  at::Tensor log_teacher = at::log_softmax(teacher_logits.to(at::kFloat), -1);
  return (log_teacher.exp() * (log_teacher - log_student)).sum(-1).mean();
}

}  // namespace

Trainer::Trainer(const spec::ModelConfig& model, const spec::TrainConfig& train, BatchFn next_batch,
                 std::string fingerprint)
    : model_config_(model),
      config_(train),
      next_batch_(std::move(next_batch)),
      fingerprint_(std::move(fingerprint)),
      device_(resolve_device(train.device)),
      sampler_(train.width, model) {
  config_.validate();
  model_ = model::make_model(model, config_.seed);
  model_->to(device_);
  optimizer_ = make_optimizer(*model_, config_.optim);
  if (!config_.checkpoint_path.empty() && std::filesystem::exists(config_.checkpoint_path)) {
    CheckpointState state = load_checkpoint(config_.checkpoint_path, *model_, optimizer_.get(), fingerprint_);
    next_step_ = state.next_step;
    tokens_seen_ = state.tokens_seen;
    trained_seconds_ = state.train_seconds;
    log::info("resumed {} at step {}", config_.checkpoint_path, next_step_);
  }
}

Trainer::~Trainer() = default;

void Trainer::save(const std::string& path) {
  save_checkpoint(path, *model_, optimizer_.get(),
                  {next_step_, tokens_seen_, config_.seed, fingerprint_, trained_seconds_});
}

void Trainer::queue_micro_batch(const at::Tensor& batch, uint64_t pass_seed, PendingStepLog& pending) {
  const bool autocast = device_.is_cuda() && config_.bf16_autocast;
  // From pageable memory a host-to-device copy waits for the device; from pinned memory
  // it is queued like a kernel (the caching host allocator keeps the buffer alive).
  at::Tensor tokens = device_.is_cuda() ? batch.pin_memory().to(device_, /*non_blocking=*/true) : batch;
  at::Tensor inputs = tokens.narrow(1, 0, tokens.size(1) - 1);
  at::Tensor targets = tokens.narrow(1, 1, tokens.size(1) - 1);
  const double scale = 1.0 / config_.grad_accum;
  const spec::WidthTrainingConfig& wc = config_.width;
  at::Tensor teacher;
  std::vector<WidthPass> passes = sampler_.passes(counter_hash(pass_seed, data::rng_stream::kWidth));
  for (size_t p = 0; p < passes.size(); ++p) {
    model::ForwardContext context;
    context.widths = passes[p].chooser.get();
    context.training = true;
    context.generator = at::detail::createCPUGenerator(counter_hash(pass_seed, p, kNoiseStream));
    // Without distillation nothing needs the logits: the chunked head loss never stores them.
    context.skip_lm_head = !wc.distill;
    model::CudaBf16Autocast bf16(autocast);
    model::ForwardResult out = model_->forward(inputs, context);
    at::Tensor ce = wc.distill ? model::lm_loss(out.logits, targets)
                               : model::lm_head_loss(out.final_hidden.reshape({-1, out.final_hidden.size(-1)}),
                                                     model_->lm_head_weight(), targets.reshape({-1}));
    at::Tensor loss = ce;
    if (wc.distill && passes[p].full_width) teacher = out.logits.detach();
    if (wc.distill && !passes[p].full_width && teacher.defined()) {
      loss = ce * (1.0 - wc.distill_weight) + distillation_loss(out.logits, teacher) * wc.distill_weight;
    }
    ((loss + out.aux_loss) * scale).backward();
    pending.pass_scalars.push_back(
        at::stack({ce.detach().to(at::kFloat), out.aux_loss.detach().to(at::kFloat),
                   out.balance_loss.detach().to(at::kFloat), out.z_loss.detach().to(at::kFloat)}));
    pending.pass_index.push_back(p);
    pending.pass_labels.push_back(passes[p].label);
  }
}

PendingStepLog Trainer::queue_step(int64_t step) {
  PendingStepLog pending;
  pending.log.lr = learning_rate_at(config_.optim, step, config_.steps);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(pending.log.lr);
  }
  optimizer_->zero_grad();
  for (int micro = 0; micro < config_.grad_accum; ++micro) {
    at::Tensor batch = next_batch_(step, micro);
    TORCH_CHECK(batch.dim() == 2 && batch.size(0) == config_.batch_size, "Trainer: batch function returned ",
                batch.sizes(), ", expected [", config_.batch_size, ", seq_len + 1]");
    queue_micro_batch(batch, counter_hash(config_.seed, step, micro), pending);
    tokens_seen_ += batch.size(0) * (batch.size(1) - 1);
  }
  pending.grad_norm = clip_grad_norm(model_->parameters(), config_.optim.grad_clip);
  optimizer_->step();
  pending.log.step = step + 1;
  pending.log.tokens = tokens_seen_;
  return pending;
}

spec::TrainStepLog Trainer::resolve(const PendingStepLog& pending) const {
  spec::TrainStepLog log = pending.log;
  std::vector<at::Tensor> parts = pending.pass_scalars;
  parts.push_back(pending.grad_norm.to(parts.front().options()).reshape({1}));
  at::Tensor host = at::cat(parts).to(at::kDouble).cpu();  // the step's one device-to-host transfer
  const double* v = host.data_ptr<double>();
  const double scale = 1.0 / config_.grad_accum;
  for (size_t i = 0; i < pending.pass_index.size(); ++i, v += 4) {
    const size_t p = pending.pass_index[i];
    if (log.pass_losses.size() <= p) log.pass_losses.emplace_back(pending.pass_labels[i], 0.0);
    log.pass_losses[p].second += v[0] * scale;
    if (p == 0) {  // the widest pass
      log.lm_loss += v[0] * scale;
      log.aux_loss += v[1] * scale;
      log.balance_loss += v[2] * scale;
      log.z_loss += v[3] * scale;
    }
  }
  log.grad_norm = *v;
  return log;
}

spec::TrainOutcome Trainer::run(const spec::TrainHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  model_->train();
  spec::TrainOutcome outcome;
  const auto start = Clock::now();
  const double seconds_before = trained_seconds_;  // earlier attempts' share, from the checkpoint
  const auto seconds_since_start = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  auto interval_start = start;
  int64_t interval_tokens = tokens_seen_;
  std::optional<PendingStepLog> unread;  // the latest step, until a log reads it
  outcome.first_step = next_step_;
  if (hooks.on_start) hooks.on_start(next_step_);
  while (next_step_ < config_.steps) {
    unread = queue_step(next_step_);
    ++next_step_;
    if (next_step_ % config_.log_every == 0 || next_step_ == config_.steps) {
      spec::TrainStepLog log = resolve(*unread);
      unread.reset();
      outcome.final_lm_loss = log.lm_loss;
      const double seconds = std::chrono::duration<double>(Clock::now() - interval_start).count();
      log.tokens_per_s = seconds > 0 ? static_cast<double>(tokens_seen_ - interval_tokens) / seconds : 0.0;
      interval_start = Clock::now();
      interval_tokens = tokens_seen_;
      if (hooks.on_log) hooks.on_log(log);
    }
    const bool periodic = config_.checkpoint_every > 0 && next_step_ % config_.checkpoint_every == 0;
    const bool stop = hooks.stop_requested && hooks.stop_requested();
    if (!config_.checkpoint_path.empty() && (periodic || stop || next_step_ == config_.steps)) {
      trained_seconds_ = seconds_before + seconds_since_start();
      save(config_.checkpoint_path);
    }
    if (stop) {
      outcome.stopped = true;
      break;
    }
  }
  if (unread) outcome.final_lm_loss = resolve(*unread).lm_loss;
  outcome.steps_done = next_step_;
  outcome.tokens_seen = tokens_seen_;
  outcome.seconds = seconds_since_start();
  trained_seconds_ = seconds_before + outcome.seconds;
  outcome.total_seconds = trained_seconds_;
  return outcome;
}

}  // namespace mose::core::train

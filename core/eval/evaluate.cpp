#include "core/eval/evaluate.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/cuda.h>

#include <chrono>
#include <cmath>

#include "core/eval/stop_poll.h"
#include "core/model/autocast_guard.h"
#include "core/model/lm_head_loss.h"

namespace mose::core::eval {

spec::LmEvalResult evaluate_lm(model::LanguageModel& model, const at::Tensor& windows,
                               const model::WidthChooser& widths, int batch_size) {
  TORCH_CHECK(windows.dim() == 2 && windows.size(1) >= 2, "evaluate_lm: windows must be [N, seq_len + 1]");
  c10::AutoGradMode no_grad(false);
  const bool was_training = model.is_training();
  model.eval();
  const c10::Device device = model.parameters().front().device();
  const int64_t n = windows.size(0), seq_len = windows.size(1) - 1;

  spec::LmEvalResult r;
  // Loss and expert usage are summed on the device and read once, after the last batch:
  // no host synchronisation between batches, so the measured time is the model's.
  at::Tensor loss_sum = at::zeros({}, at::TensorOptions().device(device).dtype(at::kDouble));
  std::vector<model::MoeUsageCounts> usage;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    throw_if_stop_requested();
    at::Tensor batch = windows.narrow(0, begin, std::min<int64_t>(batch_size, n - begin));
    batch = device.is_cuda() ? batch.pin_memory().to(device, /*non_blocking=*/true) : batch.to(device);
    model::ForwardContext context;
    context.widths = &widths;
    context.collect_stats = true;
    context.skip_lm_head = true;  // the chunked head loss never stores [tokens, vocabulary] logits
    model::CudaBf16Autocast bf16(device.is_cuda());
    model::ForwardResult out = model.forward(batch.narrow(1, 0, seq_len), context);
    const int64_t tokens = batch.size(0) * seq_len;
    const at::Tensor loss = model::lm_head_loss(out.final_hidden.reshape({tokens, -1}), model.lm_head_weight(),
                                                batch.narrow(1, 1, seq_len).reshape({-1}));
    loss_sum += loss.to(at::kDouble) * static_cast<double>(tokens);
    r.tokens += tokens;
    if (usage.empty()) {
      usage = std::move(out.moe_usage);
    } else {
      for (size_t l = 0; l < usage.size(); ++l) usage[l].add(out.moe_usage[l]);
    }
  }
  if (device.is_cuda()) torch::cuda::synchronize();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (was_training) model.train();
  r.layers = model::read_usage(usage);
  r.layers.resize(model.moe_layers().size());
  const double loss_total = loss_sum.item<double>();

  int64_t hidden_units = 0;
  for (const auto& layer : r.layers) hidden_units += layer.hidden_units;
  r.lm_loss = loss_total / static_cast<double>(r.tokens);
  r.perplexity = std::exp(r.lm_loss);
  r.flops = spec::flops_per_token(model.config(), seq_len, hidden_units, r.tokens);
  r.expert_budget = spec::achieved_width_budget(r.layers, model.config().expert_d_ff());
  r.tokens_per_s = r.seconds > 0 ? static_cast<double>(r.tokens) / r.seconds : 0.0;
  return r;
}

}  // namespace mose::core::eval

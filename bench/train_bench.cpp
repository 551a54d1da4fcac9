// Training throughput and peak memory of the engine for a named config, standard MoE
// vs MoSE (sandwich), plus MoE-layer forward time per width (uniform and ttt per-token
// widths) with achieved TFLOP/s against a measured dense-GEMM peak, and the expert FFN
// alone through the reference and the grouped path, and the optimizer step (clipping +
// AdamW) per parameter and multi-tensor. Synthetic tokens: this
// measures the engine, not the data path. Usage:
//   train_bench [--config tiny-cpu|small-cpu|bench-moe] [--steps N] [--device auto|cpu|cuda]
// Prints one JSON object per measurement (record them in bench/RESULTS.md).
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <torch/cuda.h>
#include <torch/nn/utils/clip_grad.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/errors.h"
#include "core/data/counter_rng.h"
#include "core/device.h"
#include "core/model/gpt.h"
#include "core/model/moe_layer.h"
#include "core/model/width_chooser.h"
#include "core/policy/ttt_width.h"
#include "core/train/fused_adamw.h"
#include "core/train/grad_clip.h"
#include "core/train/trainer.h"
#include "kernels/expert_permutation.h"
#include "kernels/grouped_expert_ffn.h"
#include "op_counter.h"
#ifdef MOSE_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

using namespace mose;
using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using namespace mose::core::policy;

namespace {

struct BenchConfig {
  ModelConfig model;
  int batch = 0;
};

// bench-moe is the reference config of the kernels issue: 32 x 512 tokens, d 512,
// 8 experts top-2, d_ff 2048, GELU, 6 layers, 8 heads, vocab 50304.
std::map<std::string, BenchConfig> named_configs() {
  std::map<std::string, BenchConfig> c;
  BenchConfig tiny;
  tiny.model.vocab_size = 256, tiny.model.n_layer = 2, tiny.model.n_head = 4, tiny.model.d_model = 64;
  tiny.model.seq_len = 64, tiny.model.n_experts = 4, tiny.model.d_ff = 256, tiny.model.router.top_k = 2;
  tiny.batch = 16;
  c["tiny-cpu"] = tiny;
  BenchConfig small = tiny;
  small.model.n_layer = 4, small.model.d_model = 128, small.model.seq_len = 128, small.model.d_ff = 512;
  small.model.n_experts = 8;
  c["small-cpu"] = small;
  BenchConfig ref;
  ref.model.vocab_size = 50304, ref.model.n_layer = 6, ref.model.n_head = 8, ref.model.d_model = 512;
  ref.model.seq_len = 512, ref.model.n_experts = 8, ref.model.d_ff = 2048, ref.model.router.top_k = 2;
  ref.batch = 32;
  c["bench-moe"] = ref;
  return c;
}

BatchFn random_batches(int batch, int seq_len, int64_t vocab) {
  return [=](int64_t step, int micro) {
    at::Tensor out = at::empty({batch, seq_len + 1}, at::kLong);
    data::CounterRng rng(3, step, micro);
    for (int64_t i = 0; i < out.numel(); ++i) out.data_ptr<int64_t>()[i] = static_cast<int64_t>(rng.next_below(vocab));
    return out;
  };
}

// Peak memory from here on: each training run reports its own peak, not the process's.
void reset_peak_memory(const c10::Device& device) {
#ifdef MOSE_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#endif
  (void)device;  // the CPU's peak RSS cannot be reset: it is the process's
}

double peak_memory_gib(const c10::Device& device) {
#ifdef MOSE_WITH_CUDA
  if (device.is_cuda()) {
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    return static_cast<double>(stats.allocated_bytes[0].peak) / (1ull << 30);
  }
#endif
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1 << 20);  // ru_maxrss is KiB: process peak RSS
}

void bench_training(const std::string& name, const BenchConfig& bc, const std::string& mode, int64_t steps,
                    const std::string& device) {
  TrainConfig t;
  t.steps = steps + 2;  // the first two steps warm up allocators and are not timed
  t.batch_size = bc.batch;
  t.device = device;
  t.log_every = t.steps;  // losses are read at the end only, as in a run that logs every 50 steps
  t.optim.warmup_steps = 1;
  if (mode == "moe") t.width.widths = {1.0};
  reset_peak_memory(resolve_device(device));
  Trainer trainer(bc.model, t, random_batches(bc.batch, bc.model.seq_len, bc.model.vocab_size), "bench");
  using Clock = std::chrono::steady_clock;
  Clock::time_point start;
  std::unique_ptr<bench::OpCounter> ops;  // counts the operators of step 2
  int64_t ops_per_step = 0;
  std::vector<std::pair<std::string, int64_t>> frequent_ops;
  TrainHooks hooks;
  hooks.stop_requested = [&] {  // polled after each step is queued
    if (trainer.next_step() == 1) ops = std::make_unique<bench::OpCounter>();
    if (trainer.next_step() == 2) {
      ops->stop();
      ops_per_step = ops->total();
      frequent_ops = ops->most_frequent(12);
      ops.reset();
      if (trainer.device().is_cuda()) torch::cuda::synchronize();
      start = Clock::now();
    }
    return false;
  };
  trainer.run(hooks);
  if (trainer.device().is_cuda()) torch::cuda::synchronize();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double tokens = static_cast<double>(steps) * bc.batch * bc.model.seq_len;
  fmt::print(
      "{{\"bench\": \"train_tokens_per_s\", \"config\": \"{}\", \"mode\": \"{}\", \"device\": \"{}\", "
      "\"tokens_per_s\": {:.0f}, \"ms_per_step\": {:.1f}, \"peak_mem_gib\": {:.3f}, \"aten_ops_per_step\": {}}}\n",
      name, mode, trainer.device().str(), tokens / seconds, 1e3 * seconds / static_cast<double>(steps),
      peak_memory_gib(trainer.device()), ops_per_step);
  std::string top;
  for (const auto& [op, n] : frequent_ops) top += fmt::format("{}\"{}\": {}", top.empty() ? "" : ", ", op, n);
  fmt::print("{{\"bench\": \"frequent_ops_per_step\", \"config\": \"{}\", \"mode\": \"{}\", \"ops\": {{{}}}}}\n", name,
             mode, top);
}

// Median over `blocks` timed blocks of `per_block` calls each, in ms per call. Blocks (not
// single calls) keep the host synchronisation out of sub-millisecond figures.
template <typename Fn>
double median_ms(const c10::Device& device, int blocks, int per_block, Fn fn) {
  auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  for (int i = 0; i < 3; ++i) fn();  // warm-up: handles, workspaces, allocator
  sync();
  std::vector<double> times;
  for (int b = 0; b < blocks; ++b) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < per_block; ++i) fn();
    sync();
    times.push_back(1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / per_block);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The dense-GEMM ceiling the MoE layer's TFLOP/s are read against: one large square
// product in the layer's dtype.
double matmul_peak_tflops(const c10::Device& device, at::ScalarType dtype) {
  const int64_t n = device.is_cuda() ? 8192 : 1024;
  at::Tensor a = at::randn({n, n}, at::TensorOptions().device(device).dtype(dtype));
  at::Tensor b = at::randn({n, n}, at::TensorOptions().device(device).dtype(dtype));
  const double ms =
      median_ms(device, device.is_cuda() ? 10 : 3, device.is_cuda() ? 10 : 1, [&] { return at::mm(a, b); });
  return 2.0 * static_cast<double>(n * n * n) / (ms * 1e-3) / 1e12;
}

// Widths the layer is timed at: uniform levels, and the ttt policy's per-token widths at
// budget 0.5, its scale fitted on this routing. An untrained router's top-k probabilities
// are close together, so gamma is high (8) to spread the widths over the grid the way a
// trained router's confidence does; the printed width shares show the mix.
std::vector<std::pair<std::string, std::unique_ptr<WidthChooser>>> bench_widths(const RoutingDecision& routing) {
  std::vector<std::pair<std::string, std::unique_ptr<WidthChooser>>> out;
  for (double w : {0.25, 0.5, 0.75, 1.0}) out.emplace_back(fmt::format("{}", w), std::make_unique<UniformWidth>(w));
  const std::vector<double> grid = {0.25, 0.5, 0.75, 1.0};
  at::Tensor valid = routing.expert_index.ge(0);
  at::Tensor p = routing.probs.gather(1, routing.expert_index.clamp_min(0)).cpu();
  const double gamma = 8.0;
  const ScaleFit fit = fit_ttt_scale(p, valid.cpu(), 0.5, gamma, grid);
  out.emplace_back("ttt-0.5", std::make_unique<TttWidth>(0.5, grid, std::vector<TttLayer>{TttLayer{gamma, fit.scale}}));
  return out;
}

// One MoE layer of the config on `device`, in the dtype its benchmarks use (bf16 on a GPU,
// fp32 on the CPU), a batch of token states for it, and the routing options of a forward.
struct LayerUnderTest {
  std::shared_ptr<MoeLayer> layer;
  at::Tensor x;
  RouteOptions route;
};

LayerUnderTest make_layer_under_test(const BenchConfig& bc, const c10::Device& device) {
  at::Generator init = at::detail::createCPUGenerator(1);
  LayerUnderTest t;
  t.layer = std::make_shared<MoeLayer>(bc.model, 0, init);
  const auto dtype = device.is_cuda() ? at::kBFloat16 : at::kFloat;
  t.layer->to(device);
  t.layer->to(dtype);
  t.x = at::randn({bc.batch * bc.model.seq_len, bc.model.d_model}, init).to(device, dtype);
  t.route.group_size = bc.model.seq_len;
  return t;
}

// MoE layer forward (router + experts) per width, the routing permutation alone, and the
// expert FFN alone through the reference and the grouped path, with achieved TFLOP/s of
// the expert GEMMs.
void bench_moe_layer(const std::string& name, const BenchConfig& bc, const std::string& device_name) {
  const c10::Device device = resolve_device(device_name);
  const LayerUnderTest t = make_layer_under_test(bc, device);
  MoeLayer& layer = *t.layer;
  const at::Tensor& x = t.x;
  const RouteOptions& route = t.route;
  const auto dtype = x.scalar_type();
  c10::AutoGradMode no_grad(false);
  const double peak = matmul_peak_tflops(device, dtype);
  fmt::print("{{\"bench\": \"matmul_peak_tflops\", \"device\": \"{}\", \"dtype\": \"{}\", \"tflops\": {:.3g}}}\n",
             device.str(), c10::toString(dtype), peak);

  const RoutingDecision routing = layer.router()->route(x, route);
  const int blocks = device.is_cuda() ? 10 : 3, per_block = device.is_cuda() ? 10 : 2;
  const int64_t d_ff = layer.d_ff(), gemms = bc.model.activation == "swiglu" ? 3 : 2;
  const auto params = layer.named_parameters();
  const kernels::ExpertWeights weights{params["w_in"], params.contains("w_gate") ? params["w_gate"] : at::Tensor(),
                                       params["w_out"]};
  for (const auto& [label, widths] : bench_widths(routing)) {
    ForwardContext context;
    context.widths = widths.get();
    ForwardResult out;
    const double layer_ms = median_ms(device, blocks, per_block, [&] { return layer.forward(x, route, context, out); });
    at::Tensor hidden = widths->hidden_units(0, routing, d_ff);
    at::Tensor computed = routing.expert_index.ge(0);
    const double units = static_cast<double>((hidden * computed).sum().item<int64_t>());
    const double flops = 2.0 * static_cast<double>(gemms) * units * static_cast<double>(bc.model.d_model);
    const double assignments = static_cast<double>(computed.sum().item<int64_t>());
    const double budget = units / (assignments * static_cast<double>(d_ff));
    std::string shares;  // fraction of computed assignments at each width level
    for (double w : {0.25, 0.5, 0.75, 1.0}) {
      const int64_t m = hidden_units_for(w, d_ff);
      const double n = static_cast<double>((hidden.eq(m) & computed).sum().item<int64_t>());
      shares += fmt::format("{}\"{}\": {:.2f}", shares.empty() ? "" : ", ", w, n / assignments);
    }
    kernels::ExpertAssignments a{routing.expert_index, routing.gate, hidden, widths->uniform_hidden_units(0, d_ff)};
    const auto act = kernels::activation_from_name(bc.model.activation);
    std::map<std::string, double> ffn_ms;
    ffn_ms["reference"] =
        median_ms(device, blocks, per_block, [&] { return kernels::slim_moe_ffn_reference(x, weights, a, act); });
    if (kernels::try_slim_moe_ffn_grouped(x, weights, a, act)) {
      ffn_ms["grouped"] =
          median_ms(device, blocks, per_block, [&] { return kernels::slim_moe_ffn_grouped(x, weights, a, act); });
    }
    fmt::print(
        "{{\"bench\": \"moe_fwd_ms\", \"config\": \"{}\", \"device\": \"{}\", \"width\": \"{}\", "
        "\"budget\": {:.3f}, \"width_shares\": {{{}}}, \"ms\": {:.3f}, \"expert_tflops\": {:.3g}, "
        "\"of_peak\": {:.2f}}}\n",
        name, device.str(), label, budget, shares, layer_ms, flops / (layer_ms * 1e-3) / 1e12,
        flops / (layer_ms * 1e-3) / 1e12 / peak);
    // The routing permutation alone: the counting-sort kernel (CUDA) against ATen's sort.
    const auto uniform = widths->uniform_hidden_units(0, d_ff);
    const double permute_ms = median_ms(device, blocks, per_block, [&] {
      return kernels::permute_assignments(routing.expert_index, hidden, weights.w_in.size(0), d_ff, uniform);
    });
    const double sort_ms = median_ms(device, blocks, per_block, [&] {
      return kernels::permute_assignments_by_sort(routing.expert_index, hidden, weights.w_in.size(0), d_ff, uniform);
    });
    fmt::print(
        "{{\"bench\": \"permutation_ms\", \"config\": \"{}\", \"device\": \"{}\", \"width\": \"{}\", "
        "\"dispatched\": {:.3f}, \"aten_sort\": {:.3f}}}\n",
        name, device.str(), label, permute_ms, sort_ms);
    for (const auto& [impl, ms] : ffn_ms) {
      fmt::print(
          "{{\"bench\": \"expert_ffn_ms\", \"config\": \"{}\", \"device\": \"{}\", \"impl\": \"{}\", "
          "\"width\": \"{}\", \"ms\": {:.3f}, \"tflops\": {:.3g}}}\n",
          name, device.str(), impl, label, ms, flops / (ms * 1e-3) / 1e12);
    }
  }
}

// Clipping plus one AdamW step over the config's parameters: LibTorch's per-parameter
// versions (about a dozen launches per tensor) against the multi-tensor ones the trainer uses.
void bench_optimizer_step(const std::string& name, const BenchConfig& bc, const std::string& device_name) {
  const c10::Device device = resolve_device(device_name);
  Gpt model(bc.model, 1);
  model.to(device);
  std::vector<at::Tensor> params = model.parameters();
  for (auto& p : params) p.mutable_grad() = at::randn_like(p) * 1e-3;
  const auto options = torch::optim::AdamWOptions(1e-4).weight_decay(0.1);
  std::vector<torch::optim::OptimizerParamGroup> groups{torch::optim::OptimizerParamGroup(params)};
  torch::optim::AdamW per_parameter(groups, options);
  FusedAdamW fused(groups, options);
  const double per_parameter_ms = median_ms(device, 5, 10, [&] {
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    per_parameter.step();
  });
  const double fused_ms = median_ms(device, 5, 10, [&] {
    clip_grad_norm(params, 1.0);
    fused.step();
  });
  for (const auto& [impl, ms] : {std::pair{"per_parameter", per_parameter_ms}, std::pair{"fused", fused_ms}}) {
    fmt::print(
        "{{\"bench\": \"optimizer_step_ms\", \"config\": \"{}\", \"device\": \"{}\", \"impl\": \"{}\", "
        "\"tensors\": {}, \"ms\": {:.3f}}}\n",
        name, device.str(), impl, params.size(), ms);
  }
}

#ifdef MOSE_WITH_CUDA
// The MoE layer forward at each uniform width replayed from a CUDA graph: the layer's GPU
// time without host launch overhead. An eager time well above it means the eager layer is
// launch-bound. Uniform widths only (per-token widths read their levels on the host).
// Runs last: a capture that fails may leave the device unusable for what follows.
void bench_moe_layer_graph(const std::string& name, const BenchConfig& bc) {
  const c10::Device device(at::kCUDA, 0);
  const LayerUnderTest t = make_layer_under_test(bc, device);
  MoeLayer& layer = *t.layer;
  c10::AutoGradMode no_grad(false);
  for (double w : {0.25, 0.5, 0.75, 1.0}) {
    UniformWidth widths(w);
    ForwardContext context;
    context.widths = &widths;
    try {
      at::cuda::CUDAGraph graph;
      ForwardResult captured;
      torch::cuda::synchronize();
      {
        // Warm-up on the capture stream first: library handles and workspaces are made
        // outside the capture.
        c10::cuda::CUDAStreamGuard on_side(c10::cuda::getStreamFromPool());
        for (int i = 0; i < 3; ++i) {
          ForwardResult warm;
          layer.forward(t.x, t.route, context, warm);
        }
        graph.capture_begin();
        layer.forward(t.x, t.route, context, captured);
        graph.capture_end();
      }
      torch::cuda::synchronize();
      const double ms = median_ms(device, 10, 10, [&] { graph.replay(); });
      fmt::print(
          "{{\"bench\": \"moe_fwd_graph_ms\", \"config\": \"{}\", \"device\": \"{}\", \"width\": \"{}\", "
          "\"ms\": {:.3f}}}\n",
          name, device.str(), w, ms);
    } catch (const std::exception& e) {
      fmt::print("{{\"bench\": \"moe_fwd_graph_ms\", \"config\": \"{}\", \"width\": \"{}\", \"error\": \"{}\"}}\n",
                 name, w, std::string(e.what()).substr(0, 200));
      return;
    }
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  std::string config = "tiny-cpu", device = "auto";
  int64_t steps = 20;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (i + 1 >= argc) throw UsageError("missing value after " + arg);
      if (arg == "--config")
        config = argv[++i];
      else if (arg == "--steps")
        steps = std::stoll(argv[++i]);
      else if (arg == "--device")
        device = argv[++i];
      else
        throw UsageError("unknown option " + arg + "; usage: train_bench [--config NAME] [--steps N] [--device D]");
    }
    const auto configs = named_configs();
    auto it = configs.find(config);
    if (it == configs.end()) throw UsageError("unknown config '" + config + "'; known: tiny-cpu, small-cpu, bench-moe");
    fmt::print("{{\"torch_threads\": {}}}\n", at::get_num_threads());
    bench_moe_layer(config, it->second, device);
    bench_optimizer_step(config, it->second, device);
    for (const char* mode : {"moe", "mose"}) bench_training(config, it->second, mode, steps, device);
#ifdef MOSE_WITH_CUDA
    if (resolve_device(device).is_cuda()) bench_moe_layer_graph(config, it->second);
#endif
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", describe(e));
    return 1;
  }
  return 0;
}

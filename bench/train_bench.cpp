// Training throughput and peak memory of the engine for a named config, standard MoE
// vs MoSE (sandwich), plus MoE-layer forward time per width. Synthetic tokens: this
// measures the engine, not the data path. Usage:
//   train_bench [--config tiny-cpu|small-cpu|bench-moe] [--steps N] [--device auto|cpu|cuda]
// Prints one JSON object per measurement (record them in bench/RESULTS.md).
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <torch/cuda.h>

#include <chrono>
#include <map>
#include <string>

#include "base/errors.h"
#include "core/data/counter_rng.h"
#include "core/device.h"
#include "core/model/width_chooser.h"
#include "core/train/trainer.h"
#ifdef MOSE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

using namespace mose;
using namespace mose::core;

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
  t.log_every = 1;
  t.optim.warmup_steps = 1;
  if (mode == "moe") t.width.widths = {1.0};
  Trainer trainer(bc.model, t, random_batches(bc.batch, bc.model.seq_len, bc.model.vocab_size), "bench");
  using Clock = std::chrono::steady_clock;
  Clock::time_point start;
  int64_t start_tokens = 0, end_tokens = 0;
  TrainHooks hooks;
  hooks.on_log = [&](const TrainStepLog& log) {
    if (log.step == 2) {
      if (trainer.device().is_cuda()) torch::cuda::synchronize();
      start = Clock::now();
      start_tokens = log.tokens;
    }
    end_tokens = log.tokens;
  };
  trainer.run(hooks);
  if (trainer.device().is_cuda()) torch::cuda::synchronize();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print("{{\"bench\": \"train_tokens_per_s\", \"config\": \"{}\", \"mode\": \"{}\", \"device\": \"{}\", "
             "\"tokens_per_s\": {:.0f}, \"ms_per_step\": {:.1f}, \"peak_mem_gib\": {:.3f}}}\n",
             name, mode, trainer.device().str(), static_cast<double>(end_tokens - start_tokens) / seconds,
             1e3 * seconds / static_cast<double>(steps), peak_memory_gib(trainer.device()));
}

void bench_moe_layer(const std::string& name, const BenchConfig& bc, const std::string& device_name) {
  const c10::Device device = resolve_device(device_name);
  at::Generator init = at::detail::createCPUGenerator(1);
  MoeLayer layer(bc.model, 0, init);
  layer.to(device);
  const auto dtype = device.is_cuda() ? at::kBFloat16 : at::kFloat;
  if (device.is_cuda()) layer.to(dtype);
  at::Tensor x = at::randn({bc.batch * bc.model.seq_len, bc.model.d_model}, init).to(device, dtype);
  c10::AutoGradMode no_grad(false);
  for (double w : {0.25, 0.5, 0.75, 1.0}) {
    UniformWidth widths(w);
    ForwardContext context;
    context.widths = &widths;
    ForwardResult out;
    RouteOptions route;
    route.group_size = bc.model.seq_len;
    const int iters = device.is_cuda() ? 50 : 5;
    for (int i = 0; i < 2; ++i) layer.forward(x, route, context, out);
    if (device.is_cuda()) torch::cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) layer.forward(x, route, context, out);
    if (device.is_cuda()) torch::cuda::synchronize();
    const double ms = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / iters;
    fmt::print("{{\"bench\": \"moe_fwd_ms\", \"config\": \"{}\", \"device\": \"{}\", \"width\": {}, \"ms\": {:.3f}}}\n",
               name, device.str(), w, ms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string config = "tiny-cpu", device = "auto";
  int64_t steps = 20;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (i + 1 >= argc) throw UsageError("missing value after " + arg);
      if (arg == "--config") config = argv[++i];
      else if (arg == "--steps") steps = std::stoll(argv[++i]);
      else if (arg == "--device") device = argv[++i];
      else throw UsageError("unknown option " + arg + "; usage: train_bench [--config NAME] [--steps N] [--device D]");
    }
    const auto configs = named_configs();
    auto it = configs.find(config);
    if (it == configs.end()) throw UsageError("unknown config '" + config + "'; known: tiny-cpu, small-cpu, bench-moe");
    fmt::print("{{\"torch_threads\": {}}}\n", at::get_num_threads());
    bench_moe_layer(config, it->second, device);
    for (const char* mode : {"moe", "mose"}) bench_training(config, it->second, mode, steps, device);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", describe(e));
    return 1;
  }
  return 0;
}

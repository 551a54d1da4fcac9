// Shared helpers for core tests: small configs, synthetic batches, temp folders, and a
// closeness measure.
#pragma once

#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <string>

#include "core/data/counter_rng.h"
#include "core/spec/config.h"
#include "core/train/trainer.h"
#include "cuda_skip.h"

namespace mose::core::testing {

// GPU tests run on GPU machines only; elsewhere CTest reports them as skipped.
using mose::testing::cuda_available_or_skip;

// ||got - want|| / ||want|| in float64 on the CPU; the absolute 2-norm when want is zero.
inline double relative_error(const at::Tensor& got, const at::Tensor& want) {
  const at::Tensor g = got.to(at::kCPU, at::kDouble), w = want.to(at::kCPU, at::kDouble);
  const double norm = w.norm().item<double>(), diff = (g - w).norm().item<double>();
  return norm == 0.0 ? diff : diff / norm;
}

// A short CPU training run on the first `max_bytes` of GCIDE (prepared under dir/data):
// 2 layers of d_model 32, 2 heads, sequences of 32, 4 experts top-2, batches of 8. Each
// test sets what it is about (d_ff, steps, schedule, widths, evaluation).
inline spec::RunConfig gcide_run(const std::filesystem::path& dir, int64_t max_bytes) {
  spec::RunConfig c;
  c.data.max_bytes = max_bytes;
  c.data.cache_dir = dir / "data";
  c.model.n_layer = 2;
  c.model.n_head = 2;
  c.model.d_model = 32;
  c.model.seq_len = 32;
  c.model.n_experts = 4;
  c.model.router.top_k = 2;
  c.train.batch_size = 8;
  c.train.device = "cpu";
  return c;
}

inline spec::ModelConfig tiny_model() {
  spec::ModelConfig m;
  m.vocab_size = 64;
  m.n_layer = 2;
  m.n_head = 2;
  m.d_model = 16;
  m.seq_len = 16;
  m.n_experts = 4;
  m.d_ff = 32;
  m.dense_d_ff = 32;
  m.router.top_k = 2;
  return m;
}

// Deterministic synthetic batches: a pure function of (step, micro), like the real sampler.
inline train::BatchFn synthetic_batches(int batch, int seq_len, int64_t vocab) {
  return [=](int64_t step, int micro) {
    at::Tensor out = at::empty({batch, seq_len + 1}, at::kLong);
    data::CounterRng rng(7, step, micro);
    for (int64_t i = 0; i < out.numel(); ++i) out.data_ptr<int64_t>()[i] = static_cast<int64_t>(rng.next_below(vocab));
    return out;
  };
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("mose-core-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace mose::core::testing

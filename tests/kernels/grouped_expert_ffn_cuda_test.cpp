// The grouped expert FFN and the combine kernel on the GPU against the reference, on fresh
// random inputs at many shapes: fp32 within 1e-5 and bf16 within 1e-2 (relative, in the
// 2-norm, against float64 on the same rounded inputs), gradients included. Every run starts
// from an allocator whose cached memory is NaN, so an output element nothing wrote shows.
// GPU machines only: each test skips itself without a CUDA device.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "cuda_skip.h"
#include "kernels/combine_rows.h"
#include "kernels/grouped_expert_ffn.h"
#include "slim_moe_cases.h"
#ifdef MOSE_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

using namespace mose::kernels;
using namespace mose::kernels::testing;

namespace {

bool have_gpu() { return mose::testing::cuda_available_or_skip("GPU comparison"); }

// Fills the caching allocator's free blocks, small pool (< 1 MiB blocks) and large pool,
// with NaN, then frees them: the next allocations reuse poisoned memory.
void poison_cuda_allocator() {
  const auto options = at::TensorOptions().device(at::kCUDA).dtype(at::kFloat);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<at::Tensor> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(at::full({(256 << 10) / 4}, nan, options));
  for (int i = 0; i < 4; ++i) blocks.push_back(at::full({(64 << 20) / 4}, nan, options));
  torch::cuda::synchronize();
}

// Larger problems than the CPU suite, at bench-moe's proportions.
std::vector<SlimMoeCase> gpu_cases(uint64_t seed) {
  std::vector<SlimMoeCase> cases = all_cases(seed);
  for (Activation act : {Activation::kGelu, Activation::kSwiGlu}) {
    cases.push_back(make_case("bench-like uniform 0.25", 2048, 8, 8, 2, {128}, 0.0, act, seed + 50, 256, 512));
    cases.push_back(make_case("bench-like mixed", 2048, 8, 8, 2, {128, 256, 384, 512}, 0.05, act, seed + 51, 256, 512));
    cases.push_back(
        make_case("bench-like skewed, 3 live experts", 1024, 8, 3, 2, {256, 512}, 0.0, act, seed + 52, 256, 512));
  }
  return cases;
}

}  // namespace

TEST_CASE("CUDA grouped FFN equals the reference in fp32", "[kernels][grouped][cuda]") {
  if (!have_gpu()) return;
  const at::Device gpu(at::kCUDA), cpu(at::kCPU);
  for (const SlimMoeCase& c : gpu_cases(2000)) {
    INFO(c.name);
    at::Tensor probe = at::randn({c.tokens, c.d_model}, at::kDouble);
    CaseOutputs want = run_case(c, at::kDouble, at::kDouble, cpu, probe, slim_moe_ffn_reference);
    poison_cuda_allocator();
    CaseOutputs got = run_case(c, at::kFloat, at::kFloat, gpu, probe, slim_moe_ffn_grouped);
    check_close(got, want, 1e-5);
  }
}

TEST_CASE("CUDA grouped FFN equals the reference in bf16", "[kernels][grouped][cuda]") {
  if (!have_gpu()) return;
  const at::Device gpu(at::kCUDA), cpu(at::kCPU);
  for (const SlimMoeCase& c : gpu_cases(3000)) {
    INFO(c.name);
    at::Tensor probe = at::randn({c.tokens, c.d_model}, at::kDouble);
    // The reference sees the same bf16-rounded inputs, computed in float64.
    CaseOutputs want = run_case(c, at::kBFloat16, at::kDouble, cpu, probe, slim_moe_ffn_reference);
    poison_cuda_allocator();
    CaseOutputs got = run_case(c, at::kBFloat16, at::kBFloat16, gpu, probe, slim_moe_ffn_grouped);
    check_close(got, want, 1e-2);
  }
}

TEST_CASE("slim_moe_ffn under CUDA autocast: bf16 GEMMs, fp32 output and weight gradients",
          "[kernels][grouped][cuda]") {
  if (!have_gpu()) return;
  const at::Device gpu(at::kCUDA), cpu(at::kCPU);
  for (const SlimMoeCase& c : gpu_cases(4000)) {
    INFO(c.name);
    at::Tensor probe = at::randn({c.tokens, c.d_model}, at::kDouble);
    CaseOutputs want = run_case(c, at::kDouble, at::kDouble, cpu, probe, slim_moe_ffn_reference);
    poison_cuda_allocator();
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
    CaseOutputs got = run_case(c, at::kFloat, at::kFloat, gpu, probe, slim_moe_ffn);
    at::autocast::set_autocast_enabled(at::kCUDA, false);
    at::autocast::clear_cache();
    CHECK(got.y.scalar_type() == at::kFloat);
    CHECK(got.dw_in.scalar_type() == at::kFloat);
    // Inputs are rounded to bf16 inside, so the reference (unrounded) is a little further away.
    check_close(got, want, 2e-2);
  }
}

TEST_CASE("CUDA grouped forward at one width makes no host synchronisation", "[kernels][grouped][cuda]") {
  if (!mose::testing::cuda_kernels_available_or_skip("host synchronisation check")) return;
#ifdef MOSE_WITH_CUDA
  SlimMoeCase c = make_case("uniform", 4096, 8, 8, 2, {256}, 0.1, Activation::kGelu, 77, 256, 512);
  at::Tensor x = c.x.to(at::kCUDA, at::kBFloat16);
  ExpertWeights w{c.w_in.to(at::kCUDA, at::kBFloat16), {}, c.w_out.to(at::kCUDA, at::kBFloat16)};
  ExpertAssignments a = c.assignments;
  a.expert_index = a.expert_index.cuda();
  a.hidden_units = a.hidden_units.cuda();
  a.gate = a.gate.to(at::kCUDA, at::kFloat);
  at::NoGradGuard no_grad;
  slim_moe_ffn_grouped(x, w, a, c.activation);  // warm-up: handles and workspaces
  torch::cuda::synchronize();
  c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_ERROR);
  auto forward = [&] { return slim_moe_ffn_grouped(x, w, a, c.activation); };
  CHECK_NOTHROW(forward());
  c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_DISABLED);
#endif
}

TEST_CASE("CUDA combine kernel equals the reference", "[kernels][grouped][cuda]") {
  if (!mose::testing::cuda_kernels_available_or_skip("combine kernel comparison")) return;
  at::Generator g = at::detail::createCPUGenerator(31);
  for (int64_t tokens : {1, 5, 1000}) {
    for (int64_t d : {1, 7, 64, 300, 512}) {
      for (int64_t k : {1, 2, 8, 16, 17}) {
        for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
          INFO("tokens " << tokens << " d " << d << " k " << k << " dtype " << dtype);
          const int64_t n = tokens * k;
          at::Tensor rows = at::randn({n, d}, g).to(dtype);
          at::Tensor slot = at::randperm(n, g).reshape({tokens, k});
          slot.masked_fill_(at::rand({tokens, k}, g).lt(0.2), -1);
          at::Tensor gate = at::rand({tokens, k}, g);
          at::Tensor want = combine_rows_reference(rows.to(at::kDouble), slot, gate.to(at::kDouble), at::kDouble);
          for (at::ScalarType out : {at::kFloat, at::kBFloat16}) {
            poison_cuda_allocator();
            at::Tensor got = combine_rows(rows.cuda(), slot.cuda(), gate.cuda(), out);
            CHECK_FALSE(got.isnan().any().item<bool>());
            CHECK(relative_error(got, want) <= (out == at::kFloat ? 1e-6 : 1e-2));
          }
          poison_cuda_allocator();
          at::Tensor ones = combine_rows(rows.cuda(), slot.cuda(), at::Tensor(), at::kFloat);
          CHECK(relative_error(ones, combine_rows_reference(rows.to(at::kDouble), slot, at::Tensor(), at::kDouble)) <=
                1e-6);
        }
      }
    }
  }
}

// The training step's multi-tensor pieces against LibTorch's per-parameter originals:
// FusedAdamW against torch::optim::AdamW (same maths, same serialised state) and
// clip_grad_norm against torch::nn::utils::clip_grad_norm_.
#include <ATen/ATen.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/serialize/archive.h>
#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

#include "core/train/fused_adamw.h"
#include "core/train/grad_clip.h"

using namespace mose::core;
using namespace mose::core::train;

namespace {

std::vector<at::Tensor> make_parameters(uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  std::vector<at::Tensor> params;
  for (auto shape : std::vector<std::vector<int64_t>>{{7, 5}, {3, 4, 6}, {11}, {1}}) {
    params.push_back(at::randn(shape, gen).set_requires_grad(true));
  }
  return params;
}

std::vector<at::Tensor> clones(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

// Two groups as the trainer builds them: matrices with weight decay, vectors without.
template <typename Optimizer>
Optimizer make_optimizer(const std::vector<at::Tensor>& params, bool amsgrad) {
  auto options = torch::optim::AdamWOptions(3e-2).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.1).amsgrad(amsgrad);
  auto no_decay = std::make_unique<torch::optim::AdamWOptions>(options);
  no_decay->weight_decay(0.0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<at::Tensor>{params[0], params[1]},
                      std::make_unique<torch::optim::AdamWOptions>(options));
  groups.emplace_back(std::vector<at::Tensor>{params[2], params[3]}, std::move(no_decay));
  return Optimizer(std::move(groups), options);
}

// Gradients for step s; parameter 2 gets none at step 2, so its step count falls behind
// the others' and the fused step needs two step-count buckets afterwards.
void set_gradients(const std::vector<at::Tensor>& params, int step) {
  auto gen = at::detail::createCPUGenerator(100 + step);
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor g = at::randn(params[i].sizes(), gen);
    if (i == 2 && step == 2)
      params[i].mutable_grad() = at::Tensor();
    else
      params[i].mutable_grad() = g;
  }
}

double max_relative_difference(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).abs() / (b.abs() + 1e-6)).max().item<double>();
}

}  // namespace

TEST_CASE("FusedAdamW takes the steps torch::optim::AdamW takes", "[core][optimizer]") {
  for (bool amsgrad : {false, true}) {
    INFO("amsgrad " << amsgrad);
    std::vector<at::Tensor> want_params = make_parameters(1), got_params = clones(want_params);
    auto want = make_optimizer<torch::optim::AdamW>(want_params, amsgrad);
    auto got = make_optimizer<FusedAdamW>(got_params, amsgrad);
    for (int step = 0; step < 6; ++step) {
      set_gradients(want_params, step);
      set_gradients(got_params, step);
      want.step();
      got.step();
    }
    for (size_t i = 0; i < want_params.size(); ++i) {
      INFO("parameter " << i);
      CHECK(max_relative_difference(got_params[i], want_params[i]) < 1e-5);
      CHECK_FALSE(at::equal(got_params[i], make_parameters(1)[i]));  // it moved
      const auto& ws =
          static_cast<torch::optim::AdamWParamState&>(*want.state().at(want_params[i].unsafeGetTensorImpl()));
      const auto& gs =
          static_cast<torch::optim::AdamWParamState&>(*got.state().at(got_params[i].unsafeGetTensorImpl()));
      CHECK(gs.step() == ws.step());
      CHECK(gs.step() == (i == 2 ? 5 : 6));
      CHECK(max_relative_difference(gs.exp_avg(), ws.exp_avg()) < 1e-5);
      CHECK(max_relative_difference(gs.exp_avg_sq(), ws.exp_avg_sq()) < 1e-5);
      if (amsgrad) CHECK(max_relative_difference(gs.max_exp_avg_sq(), ws.max_exp_avg_sq()) < 1e-5);
    }
  }
}

TEST_CASE("FusedAdamW state saved mid-run continues exactly, and loads into torch::optim::AdamW", "[core][optimizer]") {
  std::vector<at::Tensor> straight_params = make_parameters(2), resumed_params = clones(straight_params);
  auto straight = make_optimizer<FusedAdamW>(straight_params, false);
  auto first = make_optimizer<FusedAdamW>(resumed_params, false);
  for (int step = 0; step < 3; ++step) {
    set_gradients(straight_params, step);
    set_gradients(resumed_params, step);
    straight.step();
    first.step();
  }
  std::stringstream saved;
  torch::serialize::OutputArchive out;
  first.save(out);
  out.save_to(saved);

  std::vector<at::Tensor> continued_params = clones(resumed_params);
  auto second = make_optimizer<FusedAdamW>(continued_params, false);
  torch::serialize::InputArchive in;
  in.load_from(saved);
  second.load(in);
  // The serialised state is AdamW's own: the per-parameter optimizer reads it too.
  std::vector<at::Tensor> plain_params = clones(resumed_params);
  auto plain = make_optimizer<torch::optim::AdamW>(plain_params, false);
  saved.clear();
  saved.seekg(0);
  torch::serialize::InputArchive again;
  again.load_from(saved);
  plain.load(again);

  for (int step = 3; step < 6; ++step) {
    set_gradients(straight_params, step);
    set_gradients(continued_params, step);
    set_gradients(plain_params, step);
    straight.step();
    second.step();
    plain.step();
  }
  for (size_t i = 0; i < straight_params.size(); ++i) {
    INFO("parameter " << i);
    CHECK(at::equal(continued_params[i], straight_params[i]));
    CHECK(max_relative_difference(plain_params[i], straight_params[i]) < 1e-5);
  }
}

TEST_CASE("clip_grad_norm matches torch::nn::utils::clip_grad_norm_", "[core][optimizer]") {
  for (double max_norm : {0.5, 1e3, 0.0}) {
    INFO("max_norm " << max_norm);
    std::vector<at::Tensor> want = make_parameters(3), got = clones(want);
    set_gradients(want, 2);  // parameter 2 without a gradient
    set_gradients(got, 2);
    std::vector<at::Tensor> before;
    for (const auto& p : got) before.push_back(p.grad().defined() ? p.grad().clone() : at::Tensor());

    const double want_norm = torch::nn::utils::clip_grad_norm_(want, max_norm > 0 ? max_norm : 1e30);
    at::Tensor got_norm = clip_grad_norm(got, max_norm);
    CHECK(got_norm.dim() == 0);
    CHECK(got_norm.scalar_type() == at::kFloat);
    CHECK(got_norm.item<double>() == Approx(want_norm).epsilon(1e-6));
    for (size_t i = 0; i < got.size(); ++i) {
      INFO("parameter " << i);
      REQUIRE(got[i].grad().defined() == want[i].grad().defined());
      if (!got[i].grad().defined()) continue;
      CHECK(max_relative_difference(got[i].grad(), want[i].grad()) < 1e-6);
      if (max_norm != 0.5) CHECK(at::equal(got[i].grad(), before[i]));  // under the limit, or off: untouched
    }
  }
  CHECK(clip_grad_norm({at::zeros({3}).set_requires_grad(true)}, 1.0).item<double>() == 0.0);
}

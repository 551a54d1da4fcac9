// Random slimmable-MoE problems for comparing the grouped path with the reference:
// fresh inputs per case, uneven expert loads, empty experts, dropped assignments, every
// width level alone and mixed, GELU and SwiGLU.
#pragma once

#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/slim_moe.h"

namespace mose::kernels::testing {

struct SlimMoeCase {
  std::string name;
  int64_t tokens = 0, d_model = 0, d_ff = 0, experts = 0, k = 0;
  Activation activation = Activation::kGelu;
  at::Tensor x, w_in, w_gate, w_out;  // float64 on the CPU
  ExpertAssignments assignments;      // CPU
};

// A skewed draw (some experts take most rows) restricted to `live` experts (the rest are
// empty), with each assignment dropped with probability drop and its width drawn from
// `widths` (hidden units).
inline SlimMoeCase make_case(const std::string& name, int64_t tokens, int64_t experts, int64_t live, int64_t k,
                             std::vector<int64_t> widths, double drop, Activation activation, uint64_t seed,
                             int64_t d_model = 16, int64_t d_ff = 32) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  SlimMoeCase c;
  c.name = name;
  c.tokens = tokens, c.d_model = d_model, c.d_ff = d_ff, c.experts = experts, c.k = k, c.activation = activation;
  c.x = at::randn({tokens, d_model}, g, at::kDouble);
  c.w_in = at::randn({experts, d_model, d_ff}, g, at::kDouble) * 0.3;
  if (activation == Activation::kSwiGlu) c.w_gate = at::randn({experts, d_model, d_ff}, g, at::kDouble) * 0.3;
  c.w_out = at::randn({experts, d_ff, d_model}, g, at::kDouble) * 0.3;
  // Skew: expert e is drawn with weight 2^-e among the live ones.
  at::Tensor weights = at::pow(at::full({live}, 0.5, at::kDouble), at::arange(live, at::kDouble));
  at::Tensor draw = at::multinomial(weights, tokens * k, /*replacement=*/true, g).reshape({tokens, k});
  at::Tensor index = draw * (experts / live);  // spread the live experts over the range
  if (drop > 0) index.masked_fill_(at::rand({tokens, k}, g).lt(drop), -1);
  at::Tensor choice = at::randint(static_cast<int64_t>(widths.size()), {tokens, k}, g, at::kLong);
  c.assignments.expert_index = index;
  c.assignments.gate = at::rand({tokens, k}, g, at::kDouble);
  c.assignments.hidden_units = at::tensor(widths, at::kLong).index_select(0, choice.reshape({-1})).reshape({tokens, k});
  if (widths.size() == 1) c.assignments.uniform_hidden_units = widths[0];
  return c;
}

// Every shape family the grouped path must get right.
inline std::vector<SlimMoeCase> all_cases(uint64_t seed) {
  std::vector<SlimMoeCase> cases;
  for (Activation act : {Activation::kGelu, Activation::kSwiGlu}) {
    const std::string a = act == Activation::kGelu ? "gelu" : "swiglu";
    for (int64_t m : {8, 16, 24, 32}) {
      cases.push_back(make_case(a + " uniform width " + std::to_string(m), 37, 4, 4, 2, {m}, 0.0, act, seed++));
    }
    cases.push_back(make_case(a + " mixed widths", 64, 8, 8, 2, {8, 16, 24, 32}, 0.0, act, seed++));
    cases.push_back(make_case(a + " mixed widths, empty experts", 50, 8, 2, 3, {8, 32}, 0.0, act, seed++));
    cases.push_back(make_case(a + " uniform, dropped assignments", 40, 4, 4, 2, {16}, 0.3, act, seed++));
    cases.push_back(make_case(a + " mixed, dropped assignments", 40, 4, 4, 2, {8, 24}, 0.3, act, seed++));
    cases.push_back(make_case(a + " one token", 1, 8, 8, 2, {24}, 0.0, act, seed++));
    cases.push_back(make_case(a + " one expert, top-1", 9, 1, 1, 1, {8, 32}, 0.0, act, seed++));
    cases.push_back(make_case(a + " everything dropped", 6, 4, 4, 2, {16}, 1.1, act, seed++));
    cases.push_back(make_case(a + " wide model", 96, 8, 8, 2, {32, 64, 96, 128}, 0.1, act, seed++, 64, 128));
  }
  return cases;
}

// ||got - expected|| / ||expected|| in float64 (0 when both are zero).
inline double relative_error(const at::Tensor& got, const at::Tensor& expected) {
  at::Tensor g = got.detach().to(at::kCPU, at::kDouble), e = expected.detach().to(at::kCPU, at::kDouble);
  const double norm = e.norm().item<double>();
  const double diff = (g - e).norm().item<double>();
  if (norm == 0.0) return diff;
  return diff / norm;
}

// y and the gradients of sum(y * probe) with respect to every input.
struct CaseOutputs {
  at::Tensor y, dx, dw_in, dw_gate, dw_out, dgate;
};

// Runs `op` on the case's inputs rounded to `dtype`, parameters held in `param_dtype`, on
// `device`; gates in fp32.
template <typename Op>
CaseOutputs run_case(const SlimMoeCase& c, at::ScalarType dtype, at::ScalarType param_dtype, const at::Device& device,
                     const at::Tensor& probe, Op op) {
  auto leaf = [&](const at::Tensor& t, at::ScalarType held) {
    return t.defined() ? t.to(dtype).to(device, held).detach().requires_grad_(true) : at::Tensor();
  };
  at::Tensor x = leaf(c.x, dtype), w_in = leaf(c.w_in, param_dtype), w_gate = leaf(c.w_gate, param_dtype);
  at::Tensor w_out = leaf(c.w_out, param_dtype);
  ExpertAssignments a = c.assignments;
  a.expert_index = a.expert_index.to(device);
  a.hidden_units = a.hidden_units.to(device);
  a.gate = a.gate.to(device, at::kFloat).detach().requires_grad_(true);
  at::Tensor y = op(x, ExpertWeights{w_in, w_gate, w_out}, a, c.activation);
  at::Tensor loss = (y.to(at::kDouble) * probe.to(device)).sum();
  if (loss.requires_grad()) loss.backward();  // the reference's output is a constant when nothing is computed
  auto grad = [](const at::Tensor& t) { return t.grad().defined() ? t.grad() : at::zeros_like(t); };
  CaseOutputs o{y.detach(), grad(x), grad(w_in), {}, grad(w_out), grad(a.gate)};
  if (w_gate.defined()) o.dw_gate = grad(w_gate);
  return o;
}

// No NaN anywhere (an unwritten element of a poisoned output), and every output and
// gradient within `tolerance` of the reference's (relative_error).
inline void check_close(const CaseOutputs& got, const CaseOutputs& want, double tolerance) {
  for (const at::Tensor* t : {&got.y, &got.dx, &got.dw_in, &got.dw_out, &got.dgate}) {
    CHECK_FALSE(t->isnan().any().item<bool>());
  }
  CHECK(relative_error(got.y, want.y) <= tolerance);
  CHECK(relative_error(got.dx, want.dx) <= tolerance);
  CHECK(relative_error(got.dw_in, want.dw_in) <= tolerance);
  CHECK(relative_error(got.dw_out, want.dw_out) <= tolerance);
  if (want.dw_gate.defined()) CHECK(relative_error(got.dw_gate, want.dw_gate) <= tolerance);
  CHECK(relative_error(got.dgate, want.dgate) <= tolerance);
}

}  // namespace mose::kernels::testing

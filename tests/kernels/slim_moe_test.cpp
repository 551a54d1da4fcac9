// The slimmable MoE FFN against direct per-assignment computations: nested widths,
// width 1.0 = a plain expert, dropped assignments, gradients.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "kernels/slim_moe.h"

using namespace mose::kernels;

namespace {

struct Fixture {
  int64_t tokens = 13, d = 8, f = 12, e = 3, k = 2;
  at::Tensor x, w_in, w_gate, w_out;
  Fixture(Activation act, uint64_t seed) {
    at::Generator g = at::detail::createCPUGenerator(seed);
    x = at::randn({tokens, d}, g, at::kDouble);
    w_in = at::randn({e, d, f}, g, at::kDouble) * 0.3;
    w_gate = act == Activation::kSwiGlu ? at::randn({e, d, f}, g, at::kDouble) * 0.3 : at::Tensor();
    w_out = at::randn({e, f, d}, g, at::kDouble) * 0.3;
  }
};

// y_t = sum_j gate[t,j] * expert(e, m)(x_t), one assignment at a time: the definition.
at::Tensor per_assignment_reference(const Fixture& fx, const ExpertAssignments& a, Activation act) {
  at::Tensor y = at::zeros_like(fx.x);
  for (int64_t t = 0; t < fx.tokens; ++t) {
    for (int64_t j = 0; j < a.expert_index.size(1); ++j) {
      const int64_t e = a.expert_index[t][j].item<int64_t>();
      if (e < 0) continue;
      const int64_t m = a.hidden_units[t][j].item<int64_t>();
      at::Tensor xt = fx.x[t].unsqueeze(0);
      at::Tensor up = xt.matmul(fx.w_in[e].narrow(1, 0, m));
      at::Tensor h = act == Activation::kGelu ? at::gelu(up) : at::silu(xt.matmul(fx.w_gate[e].narrow(1, 0, m))) * up;
      y[t] += (h.matmul(fx.w_out[e].narrow(0, 0, m)) * a.gate[t][j]).squeeze(0);
    }
  }
  return y;
}

ExpertAssignments random_assignments(const Fixture& fx, uint64_t seed, bool with_drops) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  ExpertAssignments a;
  a.expert_index = at::randint(fx.e, {fx.tokens, fx.k}, g, at::kLong);
  if (with_drops) a.expert_index.index_put_({at::rand({fx.tokens, fx.k}, g).lt(0.3)}, -1);
  a.gate = at::rand({fx.tokens, fx.k}, g, at::kDouble);
  a.hidden_units = at::randint(1, fx.f + 1, {fx.tokens, fx.k}, g, at::kLong);
  return a;
}

}  // namespace

TEST_CASE("slim_moe_ffn equals the per-assignment definition", "[kernels][slim_moe]") {
  for (Activation act : {Activation::kGelu, Activation::kSwiGlu}) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      Fixture fx(act, seed);
      ExpertAssignments a = random_assignments(fx, seed + 100, /*with_drops=*/seed == 2);
      at::Tensor got = slim_moe_ffn(fx.x, {fx.w_in, fx.w_gate, fx.w_out}, a, act);
      CHECK(at::allclose(got, per_assignment_reference(fx, a, act), 1e-10, 1e-12));
    }
  }
}

TEST_CASE("width m uses exactly the first m hidden units (nested experts)", "[kernels][slim_moe]") {
  Fixture fx(Activation::kGelu, 7);
  ExpertAssignments a = random_assignments(fx, 8, false);
  for (int64_t m : {1, 3, 6, 12}) {
    a.hidden_units.fill_(m);
    at::Tensor slim = slim_moe_ffn(fx.x, {fx.w_in, fx.w_gate, fx.w_out}, a, Activation::kGelu);
    // A dense model built from the first m units only, run at full width, is the same function.
    at::Tensor w_in_m = fx.w_in.narrow(2, 0, m).contiguous(), w_out_m = fx.w_out.narrow(1, 0, m).contiguous();
    at::Tensor dense = slim_moe_ffn(fx.x, {w_in_m, {}, w_out_m}, a, Activation::kGelu);
    CHECK(at::allclose(slim, dense, 1e-12, 1e-12));
    // Changing units beyond m does not change the output.
    at::Tensor w_in_perturbed = fx.w_in.clone();
    if (m < fx.f) w_in_perturbed.narrow(2, m, fx.f - m).add_(5.0);
    CHECK(at::equal(slim, slim_moe_ffn(fx.x, {w_in_perturbed, {}, fx.w_out}, a, Activation::kGelu)));
  }
}

TEST_CASE("width 1.0 is a standard top-k MoE expert", "[kernels][slim_moe]") {
  Fixture fx(Activation::kGelu, 11);
  ExpertAssignments a = random_assignments(fx, 12, false);
  a.hidden_units.fill_(fx.f);
  at::Tensor got = slim_moe_ffn(fx.x, {fx.w_in, fx.w_gate, fx.w_out}, a, Activation::kGelu);
  at::Tensor expected = at::zeros_like(fx.x);
  for (int64_t e = 0; e < fx.e; ++e) {  // plain MoE: each expert over all tokens, masked by its gates
    at::Tensor y = at::gelu(fx.x.matmul(fx.w_in[e])).matmul(fx.w_out[e]);
    at::Tensor weight = (a.expert_index.eq(e).to(at::kDouble) * a.gate).sum(1, true);
    expected += y * weight;
  }
  CHECK(at::allclose(got, expected, 1e-10, 1e-12));
}

TEST_CASE("dropped assignments contribute nothing and all dropped gives zeros", "[kernels][slim_moe]") {
  Fixture fx(Activation::kSwiGlu, 21);
  ExpertAssignments a = random_assignments(fx, 22, false);
  a.expert_index.fill_(-1);
  at::Tensor y = slim_moe_ffn(fx.x, {fx.w_in, fx.w_gate, fx.w_out}, a, Activation::kSwiGlu);
  CHECK(y.abs().max().item<double>() == 0.0);
}

TEST_CASE("gradients match the per-assignment definition", "[kernels][slim_moe]") {
  for (Activation act : {Activation::kGelu, Activation::kSwiGlu}) {
    Fixture fx(act, 31);
    ExpertAssignments a = random_assignments(fx, 32, true);
    auto grads = [&](bool fast) {
      at::Tensor x = fx.x.clone().requires_grad_(true), w_in = fx.w_in.clone().requires_grad_(true);
      at::Tensor w_out = fx.w_out.clone().requires_grad_(true);
      at::Tensor w_gate = fx.w_gate.defined() ? fx.w_gate.clone().requires_grad_(true) : at::Tensor();
      Fixture copy = fx;
      copy.x = x, copy.w_in = w_in, copy.w_out = w_out, copy.w_gate = w_gate;
      at::Tensor y = fast ? slim_moe_ffn(x, {w_in, w_gate, w_out}, a, act) : per_assignment_reference(copy, a, act);
      (y * y).sum().backward();
      return std::vector<at::Tensor>{x.grad(), w_in.grad(), w_out.grad()};
    };
    auto fast = grads(true), reference = grads(false);
    for (size_t i = 0; i < fast.size(); ++i) CHECK(at::allclose(fast[i], reference[i], 1e-9, 1e-11));
  }
}

TEST_CASE("group_assignments orders by expert then widest first", "[kernels][slim_moe]") {
  ExpertAssignments a;
  a.expert_index = at::tensor({1, 0, 1, -1, 0, 1}, at::kLong).reshape({3, 2});
  a.hidden_units = at::tensor({4, 8, 8, 2, 4, 4}, at::kLong).reshape({3, 2});
  a.gate = at::ones({3, 2});
  AssignmentGroups g = group_assignments(a, 2, 8);
  REQUIRE(g.groups.size() == 4);
  CHECK((g.groups[0].expert == 0 && g.groups[0].hidden_units == 8 && g.groups[0].end - g.groups[0].begin == 1));
  CHECK((g.groups[1].expert == 0 && g.groups[1].hidden_units == 4));
  CHECK((g.groups[2].expert == 1 && g.groups[2].hidden_units == 8));
  CHECK((g.groups[3].expert == 1 && g.groups[3].hidden_units == 4 && g.groups[3].end - g.groups[3].begin == 2));
  CHECK(g.order.numel() == 5);  // the dropped assignment is not computed
  CHECK(at::equal(g.tokens, at::floor_divide(g.order, 2)));
}

TEST_CASE("invalid assignments are rejected with the offending shape or value", "[kernels][slim_moe]") {
  Fixture fx(Activation::kGelu, 41);
  ExpertAssignments a = random_assignments(fx, 42, false);
  a.hidden_units.fill_(fx.f + 1);
  CHECK_THROWS_WITH(slim_moe_ffn(fx.x, {fx.w_in, {}, fx.w_out}, a, Activation::kGelu),
                    Catch::Contains("hidden_units must lie in [1, 12]"));
  CHECK_THROWS_WITH(slim_moe_ffn(fx.x, {fx.w_in, {}, fx.w_out}, a, Activation::kSwiGlu),
                    Catch::Contains("SwiGLU needs w_gate"));
}

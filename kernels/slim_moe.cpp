// Reference implementation of the slimmable MoE FFN in plain LibTorch (any device), and
// the dispatch between it and the grouped path. The reference is the CPU path used in CI
// and what the CUDA path is validated against. Work is one GEMM pair per (expert, width)
// group, so a slim width does proportionally less arithmetic even here.
#include <ATen/ATen.h>

#include "base/errors.h"
#include "kernels/grouped_expert_ffn.h"
#include "kernels/slim_moe.h"

namespace mose::kernels {
namespace {

at::Tensor expert_hidden(const at::Tensor& xg, const ExpertWeights& w, int64_t e, int64_t m, Activation activation) {
  at::Tensor up = xg.matmul(w.w_in[e].narrow(1, 0, m));
  if (activation == Activation::kGelu) return at::gelu(up);
  return at::silu(xg.matmul(w.w_gate[e].narrow(1, 0, m))) * up;
}

}  // namespace

void check_slim_moe_inputs(const at::Tensor& x, const ExpertWeights& w, const ExpertAssignments& a,
                           Activation activation) {
  TORCH_CHECK(x.dim() == 2, "slim_moe_ffn: x must be [T, d_model], got ", x.sizes());
  TORCH_CHECK(w.w_in.dim() == 3 && w.w_out.dim() == 3, "slim_moe_ffn: expert weights must be 3-D");
  const int64_t n_experts = w.w_in.size(0), d_model = w.w_in.size(1), d_ff = w.w_in.size(2);
  TORCH_CHECK(x.size(1) == d_model, "slim_moe_ffn: x has d_model ", x.size(1), ", weights ", d_model);
  TORCH_CHECK(w.w_out.sizes() == at::IntArrayRef({n_experts, d_ff, d_model}), "slim_moe_ffn: w_out must be [E, d_ff, d_model], got ",
              w.w_out.sizes());
  if (activation == Activation::kSwiGlu) {
    TORCH_CHECK(w.w_gate.defined() && w.w_gate.sizes() == w.w_in.sizes(), "slim_moe_ffn: SwiGLU needs w_gate shaped like w_in");
  }
  TORCH_CHECK(a.expert_index.dim() == 2 && a.expert_index.size(0) == x.size(0), "slim_moe_ffn: expert_index must be [T, k]");
  TORCH_CHECK(a.gate.sizes() == a.expert_index.sizes() && a.hidden_units.sizes() == a.expert_index.sizes(),
              "slim_moe_ffn: gate and hidden_units must match expert_index's shape ", a.expert_index.sizes());
  TORCH_CHECK(a.expert_index.scalar_type() == at::kLong && a.hidden_units.scalar_type() == at::kLong,
              "slim_moe_ffn: expert_index and hidden_units must be int64");
}

Activation activation_from_name(const std::string& name) {
  if (name == "gelu") return Activation::kGelu;
  if (name == "swiglu") return Activation::kSwiGlu;
  throw ConfigError("unknown activation '" + name + "'; known: gelu, swiglu");
}

AssignmentGroups group_assignments(const ExpertAssignments& a, int64_t n_experts, int64_t d_ff) {
  const int64_t k = a.expert_index.size(1);
  at::Tensor flat_expert = a.expert_index.reshape({-1});
  at::Tensor flat_hidden = a.hidden_units.reshape({-1});
  at::Tensor computed = flat_expert.ge(0).nonzero().reshape({-1});
  at::Tensor experts = flat_expert.index_select(0, computed);
  at::Tensor hidden = flat_hidden.index_select(0, computed);
  if (hidden.numel() > 0) {
    // One host transfer for all three range checks (each .item() would be a device sync).
    at::Tensor bounds = at::stack({hidden.min(), hidden.max(), experts.max()}).cpu();
    const int64_t* b = bounds.data_ptr<int64_t>();
    TORCH_CHECK(b[0] >= 1 && b[1] <= d_ff, "slim_moe_ffn: hidden_units must lie in [1, ", d_ff, "]");
    TORCH_CHECK(b[2] < n_experts, "slim_moe_ffn: expert index >= ", n_experts);
  }
  // Key sorts by expert ascending, then width descending; stable keeps token order within a group.
  at::Tensor key = experts * (d_ff + 1) + (d_ff - hidden);
  auto [sorted_key, perm] = key.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false);
  auto [unique_keys, inverse, counts] = at::unique_consecutive(sorted_key, false, true);

  AssignmentGroups out;
  out.order = computed.index_select(0, perm);
  out.tokens = at::floor_divide(out.order, k);
  at::Tensor groups_cpu = at::stack({unique_keys, counts}).cpu();  // [2, groups]: one transfer
  const int64_t n_groups = groups_cpu.size(1);
  const int64_t* key_data = groups_cpu.data_ptr<int64_t>();
  const int64_t* count_data = key_data + n_groups;
  int64_t begin = 0;
  for (int64_t i = 0; i < n_groups; ++i) {
    AssignmentGroup g;
    g.expert = key_data[i] / (d_ff + 1);
    g.hidden_units = d_ff - key_data[i] % (d_ff + 1);
    g.begin = begin;
    g.end = begin + count_data[i];
    begin = g.end;
    out.groups.push_back(g);
  }
  return out;
}

at::Tensor slim_moe_ffn(const at::Tensor& x, const ExpertWeights& w, const ExpertAssignments& a, Activation activation) {
  if (x.is_cuda()) {
    if (std::optional<at::Tensor> y = try_slim_moe_ffn_grouped(x, w, a, activation)) return *y;
  }
  return slim_moe_ffn_reference(x, w, a, activation);
}

at::Tensor slim_moe_ffn_reference(const at::Tensor& x, const ExpertWeights& w, const ExpertAssignments& a,
                                  Activation activation) {
  check_slim_moe_inputs(x, w, a, activation);
  const int64_t n_experts = w.w_in.size(0), d_ff = w.w_in.size(2);
  AssignmentGroups grouped = group_assignments(a, n_experts, d_ff);
  if (grouped.groups.empty()) return at::zeros_like(x);

  at::Tensor xs = x.index_select(0, grouped.tokens);  // [n, d_model], permuted
  std::vector<at::Tensor> outputs;
  outputs.reserve(grouped.groups.size());
  for (const AssignmentGroup& g : grouped.groups) {
    at::Tensor xg = xs.narrow(0, g.begin, g.end - g.begin);
    at::Tensor h = expert_hidden(xg, w, g.expert, g.hidden_units, activation);
    outputs.push_back(h.matmul(w.w_out[g.expert].narrow(0, 0, g.hidden_units)));
  }
  at::Tensor ys = at::cat(outputs, 0);
  at::Tensor gates = a.gate.reshape({-1}).index_select(0, grouped.order).unsqueeze(1);
  ys = ys * gates.to(ys.scalar_type());
  return at::zeros({x.size(0), x.size(1)}, ys.options()).index_add(0, grouped.tokens, ys).to(x.scalar_type());
}

}  // namespace mose::kernels

// Grouped expert FFN: three autograd functions (permute rows, grouped FFN, combine rows)
// chained by slim_moe_ffn_grouped. See grouped_expert_ffn.h for the maths.
#include "kernels/grouped_expert_ffn.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <vector>

#include "kernels/combine_rows.h"
#include "kernels/expert_permutation.h"

namespace mose::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::ScalarType compute_dtype(const at::Tensor& x) {
  if (x.is_cuda() && at::autocast::is_autocast_enabled(at::kCUDA)) return at::autocast::get_autocast_dtype(at::kCUDA);
  return x.scalar_type();
}

bool row_aligned(int64_t elements, at::ScalarType dtype) {
  return (elements * static_cast<int64_t>(c10::elementSize(dtype))) % 16 == 0;
}

// [E, d_model, m] and [E, m, d_model] weight prefixes in the compute dtype. A view when the
// dtype already matches (the grouped GEMM takes the d_ff row stride), else a compact copy.
at::Tensor in_prefix(const at::Tensor& w, int64_t m, at::ScalarType dtype) { return w.narrow(2, 0, m).to(dtype); }
at::Tensor out_prefix(const at::Tensor& w, int64_t m, at::ScalarType dtype) { return w.narrow(1, 0, m).to(dtype); }

at::Tensor grouped_mm(const at::Tensor& a, const at::Tensor& b, const at::Tensor& offsets) {
  return at::_grouped_mm(a, b, offsets);
}

// A weight gradient of an expert that got no rows is exactly zero; the mask guards against
// a grouped GEMM leaving an empty group's output unwritten.
at::Tensor zero_empty_groups(const at::Tensor& grad, const at::Tensor& offsets) {
  at::Tensor ends = offsets.to(at::kLong);
  at::Tensor sizes = ends - at::cat({at::zeros({1}, ends.options()), ends.narrow(0, 0, ends.size(0) - 1)});
  return at::where(sizes.gt(0).view({-1, 1, 1}), grad, at::zeros({}, grad.options()));
}

// x [T, d] -> x[tokens] [T*k, d]; backward sums each token's copies through slot_of.
class PermuteRows : public torch::autograd::Function<PermuteRows> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& tokens,
                            const at::Tensor& slot_of) {
    ctx->saved_data["slot_of"] = slot_of;
    ctx->saved_data["dtype"] = static_cast<int64_t>(x.scalar_type());
    return x.index_select(0, tokens);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto dtype = static_cast<at::ScalarType>(ctx->saved_data["dtype"].toInt());
    at::Tensor dx = combine_rows(grads[0].contiguous(), ctx->saved_data["slot_of"].toTensor(), at::Tensor(), dtype);
    return {dx, at::Tensor(), at::Tensor()};
  }
};

struct LevelPlan {
  std::vector<int64_t> hidden_units;  // per level, widest first
  std::vector<int64_t> begin;         // levels + 1 row offsets
};

// xs [rows, d] in the compute dtype -> ys [level_begin.back(), d] in the compute dtype.
class GroupedFfn : public torch::autograd::Function<GroupedFfn> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& xs, const at::Tensor& w_in,
                            const at::Tensor& w_gate, const at::Tensor& w_out, const at::Tensor& level_offsets,
                            const LevelPlan& plan, int64_t activation) {
    const bool swiglu = static_cast<Activation>(activation) == Activation::kSwiGlu;
    const auto dtype = xs.scalar_type();
    std::vector<at::Tensor> outputs, saved = {xs, w_in, w_gate, w_out, level_offsets};
    for (size_t l = 0; l < plan.hidden_units.size(); ++l) {
      const int64_t m = plan.hidden_units[l];
      at::Tensor a = xs.narrow(0, plan.begin[l], plan.begin[l + 1] - plan.begin[l]);
      at::Tensor offsets = level_offsets[static_cast<int64_t>(l)];
      at::Tensor up = grouped_mm(a, in_prefix(w_in, m, dtype), offsets);
      at::Tensor gate = swiglu ? grouped_mm(a, in_prefix(w_gate, m, dtype), offsets) : at::Tensor();
      at::Tensor hidden = swiglu ? at::silu(gate) * up : at::gelu(up);
      outputs.push_back(grouped_mm(hidden, out_prefix(w_out, m, dtype), offsets));
      saved.push_back(up);
      saved.push_back(gate);
    }
    ctx->save_for_backward(saved);
    ctx->saved_data["hidden_units"] = plan.hidden_units;
    ctx->saved_data["begin"] = plan.begin;
    ctx->saved_data["activation"] = activation;
    return outputs.size() == 1 ? outputs[0] : at::cat(outputs, 0);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list saved = ctx->get_saved_variables();
    const at::Tensor &xs = saved[0], &w_in = saved[1], &w_gate = saved[2], &w_out = saved[3], &level_offsets = saved[4];
    const std::vector<int64_t> hidden_units = ctx->saved_data["hidden_units"].toIntVector();
    const std::vector<int64_t> begin = ctx->saved_data["begin"].toIntVector();
    const bool swiglu = static_cast<Activation>(ctx->saved_data["activation"].toInt()) == Activation::kSwiGlu;
    const auto dtype = xs.scalar_type();
    at::Tensor dys = grads[0].to(dtype).contiguous();

    at::Tensor dw_in = at::zeros_like(w_in), dw_out = at::zeros_like(w_out);
    at::Tensor dw_gate = swiglu ? at::zeros_like(w_gate) : at::Tensor();
    std::vector<at::Tensor> dxs_parts;
    for (size_t l = 0; l < hidden_units.size(); ++l) {
      const int64_t m = hidden_units[l], rows = begin[l + 1] - begin[l];
      at::Tensor a = xs.narrow(0, begin[l], rows), dy = dys.narrow(0, begin[l], rows);
      at::Tensor offsets = level_offsets[static_cast<int64_t>(l)];
      const at::Tensor &up = saved[5 + 2 * l], &gate = saved[6 + 2 * l];
      at::Tensor w_in_m = in_prefix(w_in, m, dtype), w_out_m = out_prefix(w_out, m, dtype);

      at::Tensor dh = grouped_mm(dy, w_out_m.transpose(1, 2), offsets);  // [rows, m]
      at::Tensor hidden, dup, dgate;
      if (swiglu) {
        at::Tensor silu_gate = at::silu(gate);
        hidden = silu_gate * up;
        dup = dh * silu_gate;
        dgate = at::silu_backward(dh * up, gate);
      } else {
        hidden = at::gelu(up);
        dup = at::gelu_backward(dh, up);
      }
      dw_out.narrow(1, 0, m).add_(zero_empty_groups(grouped_mm(hidden.t(), dy, offsets), offsets));
      dw_in.narrow(2, 0, m).add_(zero_empty_groups(grouped_mm(a.t(), dup, offsets), offsets));
      at::Tensor da = grouped_mm(dup, w_in_m.transpose(1, 2), offsets);
      if (swiglu) {
        dw_gate.narrow(2, 0, m).add_(zero_empty_groups(grouped_mm(a.t(), dgate, offsets), offsets));
        da = da + grouped_mm(dgate, in_prefix(w_gate, m, dtype).transpose(1, 2), offsets);
      }
      dxs_parts.push_back(da);
    }
    // Rows past the last level (assignments computing nothing) get no gradient.
    const int64_t tail = xs.size(0) - begin.back();
    if (tail > 0) dxs_parts.push_back(at::zeros({tail, xs.size(1)}, xs.options()));
    at::Tensor dxs = dxs_parts.size() == 1 ? dxs_parts[0] : at::cat(dxs_parts, 0);
    return {dxs, dw_in, dw_gate, dw_out, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// ys [N, d] -> y [T, d] = sum_j gate[t, j] ys[slot_of[t, j]].
class CombineRows : public torch::autograd::Function<CombineRows> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& ys, const at::Tensor& gate,
                            const at::Tensor& slot_of, const at::Tensor& tokens, const at::Tensor& order,
                            int64_t out_dtype) {
    ctx->save_for_backward({ys, gate, slot_of, tokens, order});
    return combine_rows(ys, slot_of, gate, static_cast<at::ScalarType>(out_dtype));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list saved = ctx->get_saved_variables();
    const at::Tensor &ys = saved[0], &gate = saved[1], &slot_of = saved[2], &tokens = saved[3], &order = saved[4];
    at::Tensor dy = grads[0].to(ys.scalar_type());
    // d ys[p] = gate of row p's assignment * dy[token of p]; zero for rows computing nothing.
    at::Tensor computed = slot_of.ge(0);
    at::Tensor row_gate = at::where(computed, gate, at::zeros({}, gate.options())).reshape({-1}).index_select(0, order);
    at::Tensor dys = dy.index_select(0, tokens.narrow(0, 0, ys.size(0))) *
                     row_gate.narrow(0, 0, ys.size(0)).to(ys.scalar_type()).unsqueeze(1);
    at::Tensor dgate;
    if (ctx->needs_input_grad(1) && ys.size(0) > 0) {
      // d gate[t, j] = <dy[t], ys[slot_of[t, j]]>; where() (not a product) masks slots that
      // read an arbitrary row.
      const int64_t t = slot_of.size(0), k = slot_of.size(1);
      at::Tensor picked = ys.index_select(0, slot_of.clamp_min(0).reshape({-1})).reshape({t, k, ys.size(1)});
      at::Tensor dot = at::bmm(picked.to(at::kFloat), dy.to(at::kFloat).unsqueeze(2)).squeeze(2);
      dgate = at::where(computed, dot, at::zeros({}, dot.options())).to(gate.scalar_type());
    } else if (ctx->needs_input_grad(1)) {
      dgate = at::zeros_like(gate);
    }
    return {dys, dgate, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

bool levels_aligned(const std::vector<int64_t>& hidden_units, at::ScalarType dtype) {
  for (int64_t m : hidden_units) {
    if (!row_aligned(m, dtype)) return false;
  }
  return true;
}

}  // namespace

bool grouped_ffn_shapes_supported(const at::Tensor& x, const ExpertWeights& w) {
  const at::ScalarType dtype = compute_dtype(x);
  if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf) return false;
  const int64_t d_model = w.w_in.size(1), d_ff = w.w_in.size(2);
  const bool weights_aligned = w.w_in.scalar_type() != dtype || row_aligned(d_ff, dtype);
  return row_aligned(d_model, dtype) && weights_aligned && w.w_in.is_contiguous() && w.w_out.is_contiguous() &&
         (!w.w_gate.defined() || w.w_gate.is_contiguous());
}

std::optional<at::Tensor> try_slim_moe_ffn_grouped(const at::Tensor& x, const ExpertWeights& w,
                                                   const ExpertAssignments& a, Activation activation) {
  check_slim_moe_inputs(x, w, a, activation);
  if (!grouped_ffn_shapes_supported(x, w)) return std::nullopt;
  const at::ScalarType dtype = compute_dtype(x);
  const int64_t n_experts = w.w_in.size(0), d_ff = w.w_in.size(2);
  ExpertPermutation p = permute_assignments(a.expert_index, a.hidden_units, n_experts, d_ff, a.uniform_hidden_units);
  if (!levels_aligned(p.level_hidden_units, dtype)) return std::nullopt;

  at::Tensor xs = PermuteRows::apply(x.to(dtype), p.tokens, p.slot_of);
  LevelPlan plan{p.level_hidden_units, p.level_begin};
  // Autograd functions take defined tensors only: GELU passes an empty stand-in for w_gate.
  at::Tensor w_gate = w.w_gate.defined() ? w.w_gate : at::empty({0}, w.w_in.options());
  at::Tensor ys = GroupedFfn::apply(xs, w.w_in, w_gate, w.w_out, p.level_offsets, plan,
                                    static_cast<int64_t>(activation));
  return CombineRows::apply(ys, a.gate, p.slot_of, p.tokens, p.order, static_cast<int64_t>(x.scalar_type()));
}

at::Tensor slim_moe_ffn_grouped(const at::Tensor& x, const ExpertWeights& w, const ExpertAssignments& a,
                                Activation activation) {
  std::optional<at::Tensor> y = try_slim_moe_ffn_grouped(x, w, a, activation);
  TORCH_CHECK(y.has_value(), "slim_moe_ffn_grouped: shapes need 16-byte aligned rows (d_model ", w.w_in.size(1),
              ", d_ff ", w.w_in.size(2), ", every width) in ", compute_dtype(x));
  return *y;
}

}  // namespace mose::kernels

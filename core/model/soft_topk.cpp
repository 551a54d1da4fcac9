#include "core/model/soft_topk.h"

#include <ATen/ATen.h>

#include <limits>

namespace mose::core::model {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// log A_j and log B_j for j = 0..E: [T, E + 1] each (log 0 = -inf at A_0 and B_E).
std::pair<at::Tensor, at::Tensor> log_tail_sums(const at::Tensor& sorted, double alpha) {
  at::Tensor neg_inf = at::full({sorted.size(0), 1}, -kInf, sorted.options());
  at::Tensor log_a = at::cat({neg_inf, at::logcumsumexp(-sorted / alpha, 1)}, 1);
  at::Tensor log_b = at::cat({at::logcumsumexp((sorted / alpha).flip(1), 1).flip(1), neg_inf}, 1);
  return {log_a, log_b};
}

// b from the positive root for segment(s) j, in double; m = k - j. With L = log(A_j B_j),
//   log(|m| + s) = L / 2 + asinh(|m| e^(-L/2))   (s = sqrt(m^2 + A_j B_j)),
// which stays finite when A_j B_j underflows (k integer and a wide gap: m = 0, L << 0),
// and = log(2 |m|) when A_j or B_j is empty (L = -inf; then m != 0 since 0 < k < E) or
// |m| e^(-L/2) is huge. Then
//   k <= j: log u = log(|m| + s) - log A_j;   k > j: log u = log B_j - log(|m| + s).
// Inputs of a branch that where() discards are replaced by harmless values, so its
// gradient never meets inf - inf or 0 * inf (where() alone would still propagate NaN).
at::Tensor segment_threshold(const at::Tensor& m, const at::Tensor& log_a, const at::Tensor& log_b, double alpha) {
  const at::Tensor small_k = m.le(0);
  const at::Tensor log_ab = log_a + log_b;
  // Where |m| e^(-L/2) > e^20, asinh(z) = log(2 z) to double precision: the same log(2 |m|).
  const at::Tensor edge_case = at::isinf(log_ab) | (m.detach().abs().log() - log_ab.detach() / 2).gt(20.0);
  const at::Tensor zero = at::zeros_like(m), one = at::ones_like(m);
  const at::Tensor l = at::where(edge_case, zero, log_ab);
  const at::Tensor interior = l / 2 + at::asinh(m.abs() * at::exp((-l / 2).clamp_max(700.0)));
  const at::Tensor edge = at::log(2 * at::where(edge_case, m.abs(), one));
  const at::Tensor log_m_plus_s = at::where(edge_case, edge, interior);
  const at::Tensor log_u_small = log_m_plus_s - at::where(small_k, log_a, zero);
  const at::Tensor log_u_large = at::where(small_k, zero, log_b) - log_m_plus_s;
  return alpha * at::where(small_k, log_u_small, log_u_large);
}

}  // namespace

at::Tensor laplace_cdf(const at::Tensor& x, double alpha) {
  const at::Tensor half_tail = 0.5 * at::exp(-x.abs() / alpha);
  return at::where(x.lt(0), half_tail, 1.0 - half_tail);
}

SoftTopK laplace_soft_topk(const at::Tensor& scores, const at::Tensor& k, double alpha) {
  TORCH_CHECK(scores.dim() == 2, "laplace_soft_topk: scores must be [T, E]");
  TORCH_CHECK(alpha > 0, "laplace_soft_topk: alpha must be positive");
  const int64_t tokens = scores.size(0), e = scores.size(1);
  const auto opts = scores.options();
  // The threshold is solved in double: the closed form exponentiates scores / alpha.
  at::Tensor sorted = std::get<0>(scores.to(at::kDouble).sort(-1, /*descending=*/true));  // [T, E], differentiable
  auto [log_a, log_b] = log_tail_sums(sorted, alpha);
  at::Tensor k_col = k.to(at::kDouble).reshape({-1, 1}).expand({tokens, 1});

  // 1. Which segment holds the root: every candidate, without gradients.
  at::Tensor pick;
  {
    const at::Tensor j = at::arange(e + 1, opts);
    const at::Tensor b = segment_threshold((k_col.detach() - j), log_a.detach(), log_b.detach(), alpha);
    // Valid: r_(j+1) <= b_j <= r_(j), with r_(0) = +inf and r_(E+1) = -inf.
    const at::Tensor r = sorted.detach();
    const at::Tensor upper = at::cat({at::full({tokens, 1}, kInf, opts), r}, 1);
    const at::Tensor lower = at::cat({r, at::full({tokens, 1}, -kInf, opts)}, 1);
    const double slack = 1e-5 * alpha;  // rounding at a segment boundary (both sides give the same b)
    const at::Tensor valid = b.le(upper + slack) & b.ge(lower - slack) & at::isfinite(b);
    pick = valid.to(at::kInt).argmax(1, /*keepdim=*/true);  // [T, 1], the first valid segment
  }
  // 2. That segment's threshold, differentiable in scores and k.
  const at::Tensor m = k_col - pick.to(at::kDouble);
  SoftTopK out;
  out.threshold =
      segment_threshold(m, log_a.gather(1, pick), log_b.gather(1, pick), alpha).squeeze(1).to(scores.scalar_type());
  out.weights = laplace_cdf(scores - out.threshold.unsqueeze(1), alpha);
  return out;
}

}  // namespace mose::core::model

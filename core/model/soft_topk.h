// Soft top-k through the Laplace CDF (the LapSum relaxation). For scores r_1..r_E of one
// token, a scale alpha > 0 and a budget k in (0, E):
//   p_i = F((r_i - b) / alpha),  F(x) = e^x / 2 (x < 0),  1 - e^-x / 2 (x >= 0)   (Laplace CDF)
// with the threshold b chosen so that sum_i p_i = k. As alpha -> 0, p is the hard top-k mask.
//
// Closed form after sorting (r_(1) >= ... >= r_(E)): if exactly j scores lie above b, then
//   sum_i p_i = j - (u / 2) A_j + B_j / (2 u),   u = e^(b / alpha),
//   A_j = sum_{i <= j} e^(-r_(i) / alpha),  B_j = sum_{i > j} e^(r_(i) / alpha),
// and sum = k is the quadratic (A_j / 2) u^2 + (k - j) u - B_j / 2 = 0 with one positive root
//   u = (j - k + s) / A_j = B_j / (k - j + s),  s = sqrt((k - j)^2 + A_j B_j)
// (the second form is used when k > j, avoiding cancellation). Each candidate j gives a b_j;
// the valid one satisfies r_(j+1) <= b_j <= r_(j). A_j and B_j are evaluated as log-sum-exps,
// and A_j B_j = exp(log A_j + log B_j) <= E^2 because r_(j+1) <= r_(j), so nothing overflows.
// b is differentiable in r and k through the closed form; p then follows by autograd.
#pragma once

#include <ATen/core/Tensor.h>

namespace mose::core::model {

struct SoftTopK {
  at::Tensor weights;    // [T, E]: p, each in (0, 1), summing to k per token
  at::Tensor threshold;  // [T]: b
};

// scores: [T, E] floating; k: a scalar tensor (or a [T] tensor) in (0, E), differentiable.
SoftTopK laplace_soft_topk(const at::Tensor& scores, const at::Tensor& k, double alpha);

// The Laplace CDF F(x / alpha), elementwise.
at::Tensor laplace_cdf(const at::Tensor& x, double alpha);

}  // namespace mose::core::model

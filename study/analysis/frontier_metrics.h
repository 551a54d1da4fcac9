// The figures a paper quotes from frontiers (pareto.h): hypervolume against a
// stated reference point, FLOPs saved at iso-quality, and the area between two
// frontiers. All take the `frontier` points of a Frontier (x strictly
// increasing, y strictly improving) and ignore its dominated points.
//
// Interpolation. Between consecutive frontier points (x_i, y_i), (x_{i+1}, y_{i+1})
// the frontier is the straight line in (log x, y):
//   y(x) = y_i + (y_{i+1} - y_i) * (ln x - ln x_i) / (ln x_{i+1} - ln x_i),
// i.e. a straight segment on the usual log-FLOPs plot. It is defined only on
// [x_0, x_last]: nothing is extrapolated. Values outside that range, or
// qualities the frontier never reaches, come back as std::nullopt, not as
// exceptions. Every cost that goes through a logarithm must be > 0; a point
// with x <= 0 is a DataError naming it.
#pragma once

#include <optional>
#include <string>

#include "study/analysis/pareto.h"

namespace mose::study::analysis {

// How the x axis is measured in areas: raw cost units or decades of cost.
enum class XScale { kLinear, kLog10 };

struct ReferencePoint {
  double x = 0.0;  // a cost no interesting point exceeds (raw units, also for kLog10)
  double y = 0.0;  // a quality every interesting point beats
};

// Hypervolume: the area of the union of the boxes each frontier point
// dominates up to `reference`, in (X(x), y) with X = x or log10 x:
//   minimise y:  U_i [X(x_i), X(r.x)] x [y_i, r.y]
//   maximise y:  U_i [X(x_i), X(r.x)] x [r.y, y_i]
// Points that do not strictly beat the reference in both x and y contribute
// nothing. With the frontier sorted, the union is a staircase:
//   HV = sum_i (X(x_{i+1}) - X(x_i)) * |r.y - y_i|,  x_{last+1} := r.x,
// over the points that beat the reference. Larger is better.
double hypervolume(const Frontier& frontier, ReferencePoint reference, XScale x_scale = XScale::kLog10);

// y(x) on the interpolated frontier; nullopt when x is outside [x_0, x_last]
// (or the frontier is empty).
std::optional<double> interpolate_quality(const Frontier& frontier, double x);

// The smallest cost x in [x_0, x_last] at which the interpolated frontier is at
// least as good as `target_y`: x_0 when the cheapest frontier point already
// reaches it (a measured upper bound; cheaper configurations were not tried),
// else the inverse of the segment that crosses target_y. nullopt when even the
// best frontier point falls short (or the frontier is empty).
std::optional<double> flops_to_reach(const Frontier& frontier, double target_y);

// "candidate reaches quality target_y with saved_fraction() fewer FLOPs than baseline".
struct IsoQualitySaving {
  std::string candidate_group;
  std::string baseline_group;
  double target_y = 0.0;
  double candidate_flops = 0.0;  // flops_to_reach(candidate, target_y)
  double baseline_flops = 0.0;   // flops_to_reach(baseline, target_y)

  // 1 - candidate/baseline: 0.25 means 25% fewer FLOPs; negative means more.
  double saved_fraction() const { return 1.0 - candidate_flops / baseline_flops; }
};

// Compares the costs at which two frontiers reach `target_y`; by default the
// baseline's best quality (e.g. its full-width loss). nullopt when either
// frontier does not reach the target. Throws DataError when the frontiers'
// y directions differ.
std::optional<IsoQualitySaving> flops_saved_at_iso_quality(const Frontier& candidate, const Frontier& baseline,
                                                           std::optional<double> target_y = std::nullopt);

// One sentence for logs and the CLI, e.g. "'mose|topk' reaches quality 2.913
// with 37.2% fewer FLOPs than 'dense' (1.2e+09 vs 1.911e+09)".
std::string describe(const IsoQualitySaving& saving);

// The signed area between two interpolated frontiers over their common x range,
// measured in decades of x (log10), positive where `a` is better than `b`:
//   minimise y:  area = integral over [lo, hi] of (y_b - y_a) d(log10 x)
//   maximise y:  area = integral over [lo, hi] of (y_a - y_b) d(log10 x)
// Both curves are linear in log x between the union of their breakpoints, so
// the trapezoid rule over those breakpoints is exact.
struct FrontierGap {
  double x_lo = 0.0;  // common range [max of first x, min of last x], raw cost units
  double x_hi = 0.0;
  double area = 0.0;  // quality units x decades

  // The average quality advantage of `a` over the common range.
  double mean_gap() const;
};

// nullopt when the common x range is empty or a single point. Throws DataError
// when the frontiers' y directions differ.
std::optional<FrontierGap> area_between(const Frontier& a, const Frontier& b);

}  // namespace mose::study::analysis

// Hypervolume, iso-quality cost and area between frontiers; the conventions
// (interpolation linear in (log x, y), no extrapolation) are in the header.
#include "study/analysis/frontier_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/errors.h"

namespace mose::study::analysis {
namespace {

// A Frontier built by hand (not by pareto_frontier) may break the invariants
// every formula below relies on; say which point does.
void check_shape(const Frontier& f) {
  const auto& pts = f.frontier;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(pts[i].x) || !std::isfinite(pts[i].y)) {
      throw DataError(fmt::format("frontier of group '{}': point '{}' has x = {}, y = {}; both must be finite", f.group,
                                  pts[i].id, pts[i].x, pts[i].y));
    }
    if (i > 0 && !(pts[i - 1].x < pts[i].x && better(pts[i].y, pts[i - 1].y, f.y_direction))) {
      throw DataError(
          fmt::format("frontier of group '{}' is not a Pareto frontier at point '{}': x must increase strictly and y "
                      "must strictly improve ({}) along it; build it with pareto_frontier()",
                      f.group, pts[i].id, direction_name(f.y_direction)));
    }
  }
}

// Costs that go through a logarithm must be positive.
void check_positive_x(const std::string& group, const std::vector<ParetoPoint>& points) {
  for (const ParetoPoint& p : points) {
    if (!(p.x > 0.0)) {
      throw DataError(fmt::format("frontier of group '{}': point '{}' has cost x = {}; log-scale figures need x > 0",
                                  group, p.id, p.x));
    }
  }
}

void check_for_log(const Frontier& f) {
  check_shape(f);
  check_positive_x(f.group, f.frontier);
}

void check_same_direction(const Frontier& a, const Frontier& b) {
  if (a.y_direction == b.y_direction) return;
  throw DataError(fmt::format("cannot compare frontiers '{}' ({}) and '{}' ({}): their y directions differ", a.group,
                              direction_name(a.y_direction), b.group, direction_name(b.y_direction)));
}

double scaled(double x, XScale scale) { return scale == XScale::kLog10 ? std::log10(x) : x; }

// y(x) on a checked frontier, linear in (ln x, y) between neighbours.
std::optional<double> interpolate(const std::vector<ParetoPoint>& pts, double x) {
  if (pts.empty() || !(x >= pts.front().x && x <= pts.back().x)) return std::nullopt;
  // First point with pts[i].x >= x; x == pts[i].x returns its y exactly.
  const auto it =
      std::lower_bound(pts.begin(), pts.end(), x, [](const ParetoPoint& p, double value) { return p.x < value; });
  if (it->x == x) return it->y;
  const ParetoPoint& hi = *it;
  const ParetoPoint& lo = *(it - 1);
  const double t = (std::log(x) - std::log(lo.x)) / (std::log(hi.x) - std::log(lo.x));
  return lo.y + t * (hi.y - lo.y);
}

}  // namespace

double hypervolume(const Frontier& frontier, ReferencePoint reference, XScale x_scale) {
  check_shape(frontier);
  if (!std::isfinite(reference.x) || !std::isfinite(reference.y) ||
      (x_scale == XScale::kLog10 && !(reference.x > 0.0))) {
    throw DataError(fmt::format("hypervolume of group '{}': reference point ({}, {}) must be finite{}", frontier.group,
                                reference.x, reference.y,
                                x_scale == XScale::kLog10 ? " with x > 0 (log10 scale)" : ""));
  }
  std::vector<ParetoPoint> inside;  // the points that beat the reference in both x and y
  for (const ParetoPoint& p : frontier.frontier) {
    if (p.x < reference.x && better(p.y, reference.y, frontier.y_direction)) inside.push_back(p);
  }
  if (x_scale == XScale::kLog10) check_positive_x(frontier.group, inside);
  double area = 0.0;
  for (std::size_t i = 0; i < inside.size(); ++i) {
    const double next_x = i + 1 < inside.size() ? inside[i + 1].x : reference.x;
    area += (scaled(next_x, x_scale) - scaled(inside[i].x, x_scale)) * std::abs(reference.y - inside[i].y);
  }
  return area;
}

std::optional<double> interpolate_quality(const Frontier& frontier, double x) {
  check_for_log(frontier);
  return interpolate(frontier.frontier, x);
}

std::optional<double> flops_to_reach(const Frontier& frontier, double target_y) {
  check_for_log(frontier);
  const auto& pts = frontier.frontier;
  const Direction dir = frontier.y_direction;
  if (pts.empty() || better(target_y, pts.back().y, dir)) return std::nullopt;
  if (!better(target_y, pts.front().y, dir)) return pts.front().x;
  // y improves strictly along the frontier: find the first point that reaches
  // the target; the segment ending there crosses it.
  std::size_t i = 1;
  while (better(target_y, pts[i].y, dir)) ++i;
  const ParetoPoint& lo = pts[i - 1];
  const ParetoPoint& hi = pts[i];
  if (hi.y == target_y) return hi.x;
  const double t = (target_y - lo.y) / (hi.y - lo.y);  // in (0, 1)
  return std::exp(std::log(lo.x) + t * (std::log(hi.x) - std::log(lo.x)));
}

std::optional<IsoQualitySaving> flops_saved_at_iso_quality(const Frontier& candidate, const Frontier& baseline,
                                                           std::optional<double> target_y) {
  check_same_direction(candidate, baseline);
  if (!target_y) {
    if (baseline.frontier.empty()) return std::nullopt;
    target_y = baseline.best().y;
  }
  const std::optional<double> candidate_flops = flops_to_reach(candidate, *target_y);
  const std::optional<double> baseline_flops = flops_to_reach(baseline, *target_y);
  if (!candidate_flops || !baseline_flops) return std::nullopt;
  return IsoQualitySaving{candidate.group, baseline.group, *target_y, *candidate_flops, *baseline_flops};
}

std::string describe(const IsoQualitySaving& saving) {
  const double fraction = saving.saved_fraction();
  return fmt::format("'{}' reaches quality {:.6g} with {:.1f}% {} FLOPs than '{}' ({:.4g} vs {:.4g})",
                     saving.candidate_group, saving.target_y, 100.0 * std::abs(fraction),
                     fraction >= 0.0 ? "fewer" : "more", saving.baseline_group, saving.candidate_flops,
                     saving.baseline_flops);
}

double FrontierGap::mean_gap() const { return area / (std::log10(x_hi) - std::log10(x_lo)); }

std::optional<FrontierGap> area_between(const Frontier& a, const Frontier& b) {
  check_same_direction(a, b);
  check_for_log(a);
  check_for_log(b);
  if (a.frontier.empty() || b.frontier.empty()) return std::nullopt;
  const double lo = std::max(a.frontier.front().x, b.frontier.front().x);
  const double hi = std::min(a.frontier.back().x, b.frontier.back().x);
  if (!(lo < hi)) return std::nullopt;
  // Breakpoints of either curve inside [lo, hi]; between them the gap is
  // linear in log10 x, so trapezoids integrate it exactly.
  std::vector<double> xs{lo, hi};
  for (const Frontier* f : {&a, &b}) {
    for (const ParetoPoint& p : f->frontier) {
      if (p.x > lo && p.x < hi) xs.push_back(p.x);
    }
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  const double sign = a.y_direction == Direction::kMinimize ? 1.0 : -1.0;
  auto gap = [&](double x) { return sign * (*interpolate(b.frontier, x) - *interpolate(a.frontier, x)); };
  double area = 0.0;
  double previous_gap = gap(xs.front());
  for (std::size_t k = 1; k < xs.size(); ++k) {
    const double current_gap = gap(xs[k]);
    area += (std::log10(xs[k]) - std::log10(xs[k - 1])) * 0.5 * (previous_gap + current_gap);
    previous_gap = current_gap;
  }
  return FrontierGap{lo, hi, area};
}

}  // namespace mose::study::analysis

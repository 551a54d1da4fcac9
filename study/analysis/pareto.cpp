// Frontier extraction by one sort and one sweep. Sorting by (x ascending,
// y best first, id, input order) puts the best point of every x first, so a
// sweep that keeps the best y seen so far finds the frontier: a point is on it
// exactly when its y is strictly better than every y at a smaller or equal x.
// Later points at the same (x, y) fail the strict test, which is the
// duplicate rule documented in pareto.h.
#include "study/analysis/pareto.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "base/errors.h"

namespace mose::study::analysis {
namespace {

void check_finite(const ParetoPoint& p) {
  if (std::isfinite(p.x) && std::isfinite(p.y)) return;
  throw DataError(
      fmt::format("Pareto point '{}' (group '{}') has x = {}, y = {}; both must be finite "
                  "(filter failed or diverged trials before building a frontier)",
                  p.id, p.group, p.x, p.y));
}

// The group shared by every point, or "" when they differ (or there are none).
std::string common_group(std::span<const ParetoPoint> points) {
  if (points.empty()) return {};
  for (const ParetoPoint& p : points) {
    if (p.group != points.front().group) return {};
  }
  return points.front().group;
}

// Indices of `points` in sweep order: x ascending, y best first, id, input order.
std::vector<std::size_t> sweep_order(std::span<const ParetoPoint> points, Direction y_direction) {
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    const ParetoPoint& a = points[i];
    const ParetoPoint& b = points[j];
    if (a.x != b.x) return a.x < b.x;
    if (a.y != b.y) return better(a.y, b.y, y_direction);
    return a.id < b.id;
  });
  return order;
}

}  // namespace

const char* direction_name(Direction direction) { return direction == Direction::kMinimize ? "minimize" : "maximize"; }

bool better(double a, double b, Direction direction) { return direction == Direction::kMinimize ? a < b : a > b; }

bool dominates(const ParetoPoint& p, const ParetoPoint& q, Direction y_direction) {
  const bool weakly = p.x <= q.x && !better(q.y, p.y, y_direction);
  const bool same = p.x == q.x && p.y == q.y;
  return weakly && !same;
}

Frontier pareto_frontier(std::span<const ParetoPoint> points, Direction y_direction) {
  for (const ParetoPoint& p : points) check_finite(p);
  Frontier result;
  result.group = common_group(points);
  result.y_direction = y_direction;
  bool have_best = false;
  double best_y = 0.0;
  for (std::size_t i : sweep_order(points, y_direction)) {
    const ParetoPoint& p = points[i];
    if (!have_best || better(p.y, best_y, y_direction)) {
      result.frontier.push_back(p);
      best_y = p.y;
      have_best = true;
    } else {
      result.dominated.push_back(p);
    }
  }
  return result;
}

std::vector<Frontier> frontiers_by_group(std::span<const ParetoPoint> points, Direction y_direction) {
  std::map<std::string, std::vector<ParetoPoint>> groups;  // sorted by name
  for (const ParetoPoint& p : points) groups[p.group].push_back(p);
  std::vector<Frontier> result;
  result.reserve(groups.size());
  for (auto& [group, members] : groups) {
    Frontier frontier = pareto_frontier(members, y_direction);
    frontier.group = group;
    result.push_back(std::move(frontier));
  }
  return result;
}

}  // namespace mose::study::analysis

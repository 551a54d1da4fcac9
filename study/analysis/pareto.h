// Pareto frontiers of (cost, quality) points: x is a cost that is always
// minimised (FLOPs per token), y a quality that is minimised (validation loss)
// or maximised (task accuracy). Plain structs in, plain structs out; no torch,
// no database. The figures quoted from a frontier live in frontier_metrics.h.
//
// Dominance (x minimised, y in direction d):
//   p weakly dominates q  <=>  p.x <= q.x  and  p.y is at least as good as q.y
//   p dominates q         <=>  p weakly dominates q and p != q in (x, y)
// Ties and duplicates, decided here once:
//   * same x, different y: the better y is on the frontier, the other dominated;
//   * same y, different x: the smaller x is on the frontier, the other dominated;
//   * exact duplicates (same x and y): neither dominates the other, but the
//     frontier keeps one representative, the smallest id (then the earliest in
//     input order); the rest are listed with the dominated points.
// So the frontier has strictly increasing x and strictly improving y, and every
// point off it is weakly dominated by some point on it.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace mose::study::analysis {

enum class Direction { kMinimize, kMaximize };

// "minimize" / "maximize", for messages and files.
const char* direction_name(Direction direction);

// One measured configuration: a trial's cost and quality.
struct ParetoPoint {
  std::string id;     // trial id, carried through untouched
  std::string group;  // series label, e.g. "mose|topk|ttt"
  double x = 0.0;     // cost, minimised (FLOPs per token)
  double y = 0.0;     // quality, minimised or maximised per Direction
};

struct Frontier {
  std::string group;  // the group of every point below ("" from pareto_frontier on mixed input)
  Direction y_direction = Direction::kMinimize;
  std::vector<ParetoPoint> frontier;   // x strictly increasing, y strictly improving
  std::vector<ParetoPoint> dominated;  // every other point, sorted by (x, y best first, id)

  // The best quality on the frontier (its last point); the frontier must be non-empty.
  const ParetoPoint& best() const { return frontier.back(); }
};

// True when quality `a` is strictly better than `b` in `direction`.
bool better(double a, double b, Direction direction);

// True when `p` dominates `q` (see the definition above; duplicates do not).
bool dominates(const ParetoPoint& p, const ParetoPoint& q, Direction y_direction);

// The frontier of all `points` together, whatever their groups; O(n log n).
// Throws DataError naming the point when an x or y is not finite.
Frontier pareto_frontier(std::span<const ParetoPoint> points, Direction y_direction);

// One frontier per distinct group, sorted by group name; points of a group
// only compete with each other.
std::vector<Frontier> frontiers_by_group(std::span<const ParetoPoint> points, Direction y_direction);

}  // namespace mose::study::analysis

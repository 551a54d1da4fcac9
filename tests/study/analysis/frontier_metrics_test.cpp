#include "study/analysis/frontier_metrics.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "base/errors.h"
#include "random_points.h"
#include "study/study_test_support.h"

namespace mose::study::analysis {
namespace {

Frontier frontier_of(std::vector<std::pair<double, double>> xy, Direction dir = Direction::kMinimize,
                     const std::string& group = "g") {
  std::vector<ParetoPoint> points;
  for (const auto& [x, y] : xy) points.push_back({"p" + std::to_string(points.size()), group, x, y});
  return pareto_frontier(points, dir);
}

double scaled(double x, XScale scale) { return scale == XScale::kLog10 ? std::log10(x) : x; }

// Exact area of the union of every point's box up to the reference, computed
// independently of the staircase: compress coordinates into a grid and add
// each cell covered by at least one box. O(n^3), for small n.
double union_of_boxes(const std::vector<ParetoPoint>& points, ReferencePoint ref, Direction dir, XScale scale) {
  struct Box {
    double x0, x1, y0, y1;
  };
  std::vector<Box> boxes;
  for (const ParetoPoint& p : points) {
    if (!(p.x < ref.x && better(p.y, ref.y, dir))) continue;
    boxes.push_back({scaled(p.x, scale), scaled(ref.x, scale), std::min(p.y, ref.y), std::max(p.y, ref.y)});
  }
  std::vector<double> xs, ys;
  for (const Box& b : boxes) {
    xs.insert(xs.end(), {b.x0, b.x1});
    ys.insert(ys.end(), {b.y0, b.y1});
  }
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  double area = 0.0;
  for (std::size_t i = 1; i < xs.size(); ++i) {
    for (std::size_t j = 1; j < ys.size(); ++j) {
      const double cx = 0.5 * (xs[i - 1] + xs[i]);
      const double cy = 0.5 * (ys[j - 1] + ys[j]);
      const bool covered = std::any_of(boxes.begin(), boxes.end(), [&](const Box& b) {
        return b.x0 <= cx && cx <= b.x1 && b.y0 <= cy && cy <= b.y1;
      });
      if (covered) area += (xs[i] - xs[i - 1]) * (ys[j] - ys[j - 1]);
    }
  }
  return area;
}

}  // namespace

TEST_CASE("hypervolume of small hand-computed frontiers", "[study][pareto][hypervolume]") {
  // Minimise: boxes [1,4]x[3,4] and [2,4]x[1,4]; union = 1*1 + 2*3 = 7.
  CHECK(hypervolume(frontier_of({{1, 3}, {2, 1}}), {4, 4}, XScale::kLinear) == Approx(7.0));
  // The same in decades: [1,3]x[3,4] and [2,3]x[1,4] -> 1*1 + 1*3 = 4.
  CHECK(hypervolume(frontier_of({{10, 3}, {100, 1}}), {1000, 4}) == Approx(4.0));
  // Maximise (accuracy above 0): [1,2] at 0.5, [2,4] at 0.8 -> 0.5 + 1.6 = 2.1.
  CHECK(hypervolume(frontier_of({{1, 0.5}, {2, 0.8}}, Direction::kMaximize), {4, 0}, XScale::kLinear) == Approx(2.1));
  // Points that do not beat the reference in both x and y add nothing.
  CHECK(hypervolume(frontier_of({{1, 3}, {2, 1}, {5, 0.5}}), {4, 4}, XScale::kLinear) == Approx(7.0));
  CHECK(hypervolume(frontier_of({{1, 5}, {2, 1}}), {4, 4}, XScale::kLinear) == Approx(6.0));
  CHECK(hypervolume(frontier_of({}), {4, 4}) == 0.0);
}

TEST_CASE("hypervolume equals the exact union of boxes on random sets", "[study][pareto][hypervolume]") {
  std::mt19937_64 rng(31337);
  for (Direction dir : {Direction::kMinimize, Direction::kMaximize}) {
    for (XScale scale : {XScale::kLinear, XScale::kLog10}) {
      for (int grid : {0, 6}) {
        for (std::size_t n : {1, 2, 5, 17, 40}) {
          const auto points = testing::random_points(rng, n, grid);
          // A reference some points fail to beat, so the clipping is exercised.
          const ReferencePoint ref = grid > 0 ? ReferencePoint{5.5, dir == Direction::kMinimize ? 5.5 : 1.5}
                                              : ReferencePoint{3e11, dir == Direction::kMinimize ? 4.5 : 1.5};
          const Frontier f = pareto_frontier(points, dir);
          INFO(direction_name(dir) << " grid " << grid << " n " << n);
          // The union over all points (dominated ones included) must equal the
          // staircase over the frontier alone.
          const double expected = union_of_boxes(points, ref, dir, scale);
          CHECK(hypervolume(f, ref, scale) == Approx(expected).margin(1e-12));
          if (n >= 5) CHECK(expected > 0.0);
        }
      }
    }
  }
}

TEST_CASE("hypervolume when maximising equals minimising the negated quality", "[study][pareto][hypervolume]") {
  std::mt19937_64 rng(5);
  auto points = testing::random_points(rng, 30, 0);
  const double up = hypervolume(pareto_frontier(points, Direction::kMaximize), {1e12, 2.0});
  for (auto& p : points) p.y = -p.y;
  const double down = hypervolume(pareto_frontier(points, Direction::kMinimize), {1e12, -2.0});
  CHECK(up == Approx(down));
  CHECK(up > 0.0);
}

TEST_CASE("interpolation is linear in (log x, y) and never extrapolates", "[study][pareto][interpolation]") {
  const Frontier f = frontier_of({{10, 3}, {1000, 1}});
  CHECK(*interpolate_quality(f, 100) == Approx(2.0));  // half way in decades
  CHECK(*interpolate_quality(f, std::sqrt(10.0) * 10) == Approx(2.5));
  CHECK(*interpolate_quality(f, 10) == 3.0);
  CHECK(*interpolate_quality(f, 1000) == 1.0);
  CHECK_FALSE(interpolate_quality(f, 9.99).has_value());
  CHECK_FALSE(interpolate_quality(f, 1000.01).has_value());
  CHECK_FALSE(interpolate_quality(frontier_of({}), 10).has_value());
  CHECK(*interpolate_quality(frontier_of({{10, 3}}), 10) == 3.0);
}

TEST_CASE("flops_to_reach inverts the interpolated frontier", "[study][pareto][interpolation]") {
  const Frontier f = frontier_of({{10, 3}, {1000, 1}});
  CHECK(*flops_to_reach(f, 2.0) == Approx(100.0));
  CHECK(*flops_to_reach(f, 1.0) == 1000.0);
  CHECK(*flops_to_reach(f, 3.0) == 10.0);
  CHECK(*flops_to_reach(f, 3.5) == 10.0);            // the cheapest point already reaches it
  CHECK_FALSE(flops_to_reach(f, 0.99).has_value());  // never reached: a value, not an exception
  CHECK_FALSE(flops_to_reach(frontier_of({}), 1.0).has_value());

  const Frontier acc = frontier_of({{10, 0.5}, {1000, 0.9}}, Direction::kMaximize);
  CHECK(*flops_to_reach(acc, 0.7) == Approx(100.0));
  CHECK(*flops_to_reach(acc, 0.2) == 10.0);
  CHECK_FALSE(flops_to_reach(acc, 0.95).has_value());
}

TEST_CASE("flops_to_reach agrees with a scan of the interpolated frontier", "[study][pareto][interpolation]") {
  std::mt19937_64 rng(99);
  for (Direction dir : {Direction::kMinimize, Direction::kMaximize}) {
    for (int trial = 0; trial < 20; ++trial) {
      const Frontier f = pareto_frontier(testing::random_points(rng, 30, 0), dir);
      const double lo = f.frontier.front().x;
      const double hi = f.frontier.back().x;
      std::uniform_real_distribution<double> pick(0.0, 1.0);
      const double t = pick(rng);
      const double target = f.frontier.front().y + t * (f.frontier.back().y - f.frontier.front().y);
      const double x = *flops_to_reach(f, target);
      CHECK(*interpolate_quality(f, x) == Approx(target).epsilon(1e-9));
      // Scan: the first grid x (steps of 1e-4 decades) whose quality reaches the target.
      const int steps = static_cast<int>(std::ceil((std::log10(hi) - std::log10(lo)) / 1e-4));
      double scanned = hi;
      for (int k = 0; k <= steps; ++k) {
        const double xk = std::min(hi, lo * std::pow(10.0, 1e-4 * k));
        if (!better(target, *interpolate_quality(f, xk), dir)) {
          scanned = xk;
          break;
        }
      }
      CHECK(std::abs(std::log10(scanned) - std::log10(x)) <= 1.01e-4);
    }
  }
}

TEST_CASE("FLOPs saved at iso-quality", "[study][pareto][iso_quality]") {
  const Frontier mose = frontier_of({{10, 3}, {100, 2}, {1000, 1.5}}, Direction::kMinimize, "mose|topk");
  const Frontier dense = frontier_of({{100, 3}, {1000, 2}}, Direction::kMinimize, "dense");
  // Default target: dense's best loss 2, reached by mose at 100 FLOPs, by dense at 1000.
  const auto saving = flops_saved_at_iso_quality(mose, dense);
  REQUIRE(saving.has_value());
  CHECK(saving->target_y == 2.0);
  CHECK(saving->candidate_flops == 100.0);
  CHECK(saving->baseline_flops == 1000.0);
  CHECK(saving->saved_fraction() == Approx(0.9));
  CHECK(describe(*saving) == "'mose|topk' reaches quality 2 with 90.0% fewer FLOPs than 'dense' (100 vs 1000)");
  // Reversed: dense needs ten times more.
  const auto reversed = flops_saved_at_iso_quality(dense, mose, 2.0);
  REQUIRE(reversed.has_value());
  CHECK(reversed->saved_fraction() == Approx(-9.0));
  CHECK_THAT(describe(*reversed), Catch::Contains("900.0% more FLOPs"));
  // Interpolated target: 2.5 is at 10^1.5 for mose and 10^2.5 for dense.
  CHECK(flops_saved_at_iso_quality(mose, dense, 2.5)->saved_fraction() == Approx(0.9));
  // mose's best (1.5) is never reached by dense: a value, not an exception.
  CHECK_FALSE(flops_saved_at_iso_quality(dense, mose).has_value());
  const Frontier acc = frontier_of({{10, 0.5}}, Direction::kMaximize, "acc");
  CHECK_THROWS_AS(flops_saved_at_iso_quality(acc, dense), DataError);
}

TEST_CASE("area between frontiers over their common range, in decades", "[study][pareto][area]") {
  const Frontier a = frontier_of({{10, 3}, {1000, 1}}, Direction::kMinimize, "a");
  const Frontier b = frontier_of({{10, 4}, {1000, 2}}, Direction::kMinimize, "b");
  const auto gap = area_between(a, b);
  REQUIRE(gap.has_value());
  CHECK(gap->x_lo == 10.0);
  CHECK(gap->x_hi == 1000.0);
  CHECK(gap->area == Approx(2.0));  // a is better by 1 over 2 decades
  CHECK(gap->mean_gap() == Approx(1.0));
  CHECK(area_between(b, a)->area == Approx(-2.0));
  // Crossing frontiers: gap -1 at 10, +1 at 1000, linear in between -> 0.
  const Frontier c = frontier_of({{10, 4}, {1000, 1}});
  const Frontier d = frontier_of({{10, 3}, {1000, 2}});
  CHECK(area_between(c, d)->area == Approx(0.0).margin(1e-12));
  // Only the common range [100, 1000] counts: there a goes 2 -> 1 and e goes 3 -> 2.
  const Frontier e = frontier_of({{100, 3}, {10000, 1}});
  CHECK(area_between(a, e)->area == Approx(1.0));  // gap 1 on [2, 3] decades
  // Maximise: positive when a is higher.
  const Frontier up = frontier_of({{10, 0.6}, {100, 0.8}}, Direction::kMaximize);
  const Frontier down = frontier_of({{10, 0.5}, {100, 0.7}}, Direction::kMaximize);
  CHECK(area_between(up, down)->area == Approx(0.1));
  // Disjoint or touching ranges have no common range.
  CHECK_FALSE(area_between(a, frontier_of({{2000, 1}, {3000, 0.5}})).has_value());
  CHECK_FALSE(area_between(a, frontier_of({{1000, 1}, {3000, 0.5}})).has_value());
  CHECK_FALSE(area_between(a, frontier_of({})).has_value());
  CHECK_THROWS_AS(area_between(a, up), DataError);
}

TEST_CASE("area_between agrees with a fine midpoint sum on random frontiers", "[study][pareto][area]") {
  std::mt19937_64 rng(424242);
  for (Direction dir : {Direction::kMinimize, Direction::kMaximize}) {
    for (int trial = 0; trial < 10; ++trial) {
      const Frontier a = pareto_frontier(testing::random_points(rng, 40, 0, "a"), dir);
      const Frontier b = pareto_frontier(testing::random_points(rng, 40, 0, "b"), dir);
      const auto gap = area_between(a, b);
      if (!gap) continue;
      const double u0 = std::log10(gap->x_lo);
      const double u1 = std::log10(gap->x_hi);
      constexpr int kSteps = 100000;
      const double h = (u1 - u0) / kSteps;
      const double sign = dir == Direction::kMinimize ? 1.0 : -1.0;
      double sum = 0.0;
      for (int k = 0; k < kSteps; ++k) {
        const double x = std::pow(10.0, u0 + (k + 0.5) * h);
        sum += h * sign * (*interpolate_quality(b, x) - *interpolate_quality(a, x));
      }
      CHECK(gap->area == Approx(sum).margin(1e-6));
    }
  }
}

TEST_CASE("metrics reject frontiers they cannot use", "[study][pareto]") {
  Frontier unsorted;
  unsorted.group = "hand-made";
  unsorted.frontier = {{"p", "hand-made", 100, 1.0}, {"q", "hand-made", 10, 2.0}};
  CHECK_THROWS_AS(interpolate_quality(unsorted, 50), DataError);
  CHECK_THROWS_WITH(hypervolume(unsorted, {1000, 3}), Catch::Contains("hand-made") && Catch::Contains("'q'"));
  const Frontier zero_cost = frontier_of({{0, 2}, {10, 1}});
  CHECK_THROWS_AS(flops_to_reach(zero_cost, 1.5), DataError);
  CHECK_THROWS_AS(hypervolume(zero_cost, {100, 3}), DataError);
  CHECK(hypervolume(zero_cost, {100, 3}, XScale::kLinear) == Approx(10 * 1 + 90 * 2));
  CHECK_THROWS_AS(hypervolume(frontier_of({{10, 1}}), {0, 3}), DataError);
}

}  // namespace mose::study::analysis

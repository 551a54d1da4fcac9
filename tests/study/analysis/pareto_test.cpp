#include "study/analysis/pareto.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "base/errors.h"
#include "random_points.h"
#include "study/study_test_support.h"

namespace mose::study::analysis {
namespace {

std::vector<std::string> ids(const std::vector<ParetoPoint>& points) {
  std::vector<std::string> out;
  for (const ParetoPoint& p : points) out.push_back(p.id);
  return out;
}

// O(n^2) reference: a point is on the frontier when no other point dominates
// it; of exact duplicates the smallest id stays (ids are unique here).
std::set<std::string> brute_force_frontier(const std::vector<ParetoPoint>& points, Direction dir) {
  std::set<std::string> result;
  for (const ParetoPoint& p : points) {
    bool keep = true;
    for (const ParetoPoint& q : points) {
      if (dominates(q, p, dir)) keep = false;
      if (q.x == p.x && q.y == p.y && q.id < p.id) keep = false;
    }
    if (keep) result.insert(p.id);
  }
  return result;
}

bool weakly_dominates(const ParetoPoint& p, const ParetoPoint& q, Direction dir) {
  return p.x <= q.x && !better(q.y, p.y, dir);
}

}  // namespace

TEST_CASE("frontier of a small hand-made set, minimising y", "[study][pareto]") {
  const std::vector<ParetoPoint> points{
      {"a", "g", 1.0, 5.0},  // cheapest: on the frontier
      {"c", "g", 2.0, 4.0},  // same x as b, worse y: dominated
      {"b", "g", 2.0, 3.0},  // frontier
      {"d", "g", 3.0, 3.0},  // same y as b, larger x: dominated
      {"f", "g", 4.0, 1.0},  // duplicate of e; e has the smaller id
      {"e", "g", 4.0, 1.0},  // frontier
      {"h", "g", 5.0, 2.0},  // dominated by e
  };
  const Frontier f = pareto_frontier(points, Direction::kMinimize);
  CHECK(f.group == "g");
  CHECK(ids(f.frontier) == std::vector<std::string>{"a", "b", "e"});
  CHECK(ids(f.dominated) == std::vector<std::string>{"c", "d", "f", "h"});
  CHECK(f.best().id == "e");
}

TEST_CASE("frontier when y is maximised (accuracy)", "[study][pareto]") {
  const std::vector<ParetoPoint> points{
      {"a", "g", 1.0, 0.50}, {"b", "g", 2.0, 0.40}, {"c", "g", 2.0, 0.70}, {"d", "g", 8.0, 0.70}, {"e", "g", 9.0, 0.90},
  };
  const Frontier f = pareto_frontier(points, Direction::kMaximize);
  CHECK(ids(f.frontier) == std::vector<std::string>{"a", "c", "e"});
  CHECK(ids(f.dominated) == std::vector<std::string>{"b", "d"});
  CHECK(f.best().y == 0.90);
}

TEST_CASE("exact duplicates keep the smallest id, then the first given", "[study][pareto]") {
  const std::vector<ParetoPoint> points{{"t9", "g", 1.0, 1.0}, {"t1", "g", 1.0, 1.0}, {"t1", "h", 1.0, 1.0}};
  const Frontier f = pareto_frontier(points, Direction::kMinimize);
  REQUIRE(f.frontier.size() == 1);
  CHECK(f.frontier[0].id == "t1");
  CHECK(f.frontier[0].group == "g");  // same id: input order decides
  CHECK(f.group.empty());             // mixed groups
  CHECK(ids(f.dominated) == std::vector<std::string>{"t1", "t9"});
  CHECK_FALSE(dominates(points[0], points[1], Direction::kMinimize));
}

TEST_CASE("frontier of no points is empty", "[study][pareto]") {
  const Frontier f = pareto_frontier({}, Direction::kMinimize);
  CHECK(f.frontier.empty());
  CHECK(f.dominated.empty());
}

TEST_CASE("non-finite coordinates are rejected naming the point", "[study][pareto]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const ParetoPoint& bad :
       {ParetoPoint{"trial-17", "mose|topk", 1.0, nan}, ParetoPoint{"trial-17", "mose|topk", inf, 2.0}}) {
    const std::vector<ParetoPoint> points{{"ok", "mose|topk", 1.0, 1.0}, bad};
    CHECK_THROWS_AS(pareto_frontier(points, Direction::kMinimize), DataError);
    CHECK_THROWS_WITH(pareto_frontier(points, Direction::kMinimize),
                      Catch::Contains("trial-17") && Catch::Contains("mose|topk"));
  }
}

TEST_CASE("frontier matches an O(n^2) dominance check on random sets", "[study][pareto]") {
  std::mt19937_64 rng(20240611);
  for (Direction dir : {Direction::kMinimize, Direction::kMaximize}) {
    for (int grid : {0, 4, 12}) {
      for (int trial = 0; trial < 60; ++trial) {
        const std::size_t n = static_cast<std::size_t>(trial);
        const auto points = testing::random_points(rng, n, grid);
        const Frontier f = pareto_frontier(points, dir);
        INFO("direction " << direction_name(dir) << ", grid " << grid << ", n " << n);
        const auto on = ids(f.frontier);
        CHECK(std::set<std::string>(on.begin(), on.end()) == brute_force_frontier(points, dir));
        CHECK(f.frontier.size() + f.dominated.size() == n);
        for (std::size_t i = 1; i < f.frontier.size(); ++i) {
          CHECK(f.frontier[i - 1].x < f.frontier[i].x);
          CHECK(better(f.frontier[i].y, f.frontier[i - 1].y, dir));
        }
        for (const ParetoPoint& q : f.dominated) {
          CHECK(std::any_of(f.frontier.begin(), f.frontier.end(),
                            [&](const ParetoPoint& p) { return weakly_dominates(p, q, dir); }));
        }
      }
    }
  }
}

TEST_CASE("frontiers_by_group: groups sorted by name, points compete only within their group", "[study][pareto]") {
  std::mt19937_64 rng(7);
  std::vector<ParetoPoint> points;
  for (const char* group : {"mose|topk|ttt", "dense", "mose|topk|none"}) {
    auto members = testing::random_points(rng, 25, 0, group);
    for (auto& p : members) p.id = std::string(group) + "/" + p.id;
    points.insert(points.end(), members.begin(), members.end());
  }
  std::shuffle(points.begin(), points.end(), rng);
  const auto frontiers = frontiers_by_group(points, Direction::kMinimize);
  REQUIRE(frontiers.size() == 3);
  CHECK(frontiers[0].group == "dense");
  CHECK(frontiers[1].group == "mose|topk|none");
  CHECK(frontiers[2].group == "mose|topk|ttt");
  for (const Frontier& f : frontiers) {
    std::vector<ParetoPoint> members;
    std::copy_if(points.begin(), points.end(), std::back_inserter(members),
                 [&](const ParetoPoint& p) { return p.group == f.group; });
    const Frontier alone = pareto_frontier(members, Direction::kMinimize);
    CHECK(ids(f.frontier) == ids(alone.frontier));
    CHECK(ids(f.dominated) == ids(alone.dominated));
    CHECK(f.frontier.size() + f.dominated.size() == 25);
  }
}

}  // namespace mose::study::analysis

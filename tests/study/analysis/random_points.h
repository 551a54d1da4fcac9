// Seeded random point sets for the frontier tests.
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "study/analysis/pareto.h"

namespace mose::study::testing {

// n points named "p0".."p<n-1>" in one group. With `grid` > 0 the coordinates
// are integers in [1, grid] (many ties and duplicates); otherwise x is
// log-uniform in [1e6, 1e12] and y uniform in [1, 5].
inline std::vector<analysis::ParetoPoint> random_points(std::mt19937_64& rng, std::size_t n, int grid,
                                                        const std::string& group = "g") {
  std::vector<analysis::ParetoPoint> points;
  std::uniform_int_distribution<int> cell(1, grid > 0 ? grid : 1);
  std::uniform_real_distribution<double> log_x(6.0, 12.0);
  std::uniform_real_distribution<double> y(1.0, 5.0);
  for (std::size_t i = 0; i < n; ++i) {
    analysis::ParetoPoint p{"p" + std::to_string(i), group, 0.0, 0.0};
    if (grid > 0) {
      p.x = cell(rng);
      p.y = cell(rng);
    } else {
      p.x = std::pow(10.0, log_x(rng));
      p.y = y(rng);
    }
    points.push_back(p);
  }
  return points;
}

}  // namespace mose::study::testing

// Helpers shared by the study tests: seeded random point sets and a scratch
// directory removed when the test ends.
#pragma once

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "study/pareto.h"

namespace mose::study::testing {

// n points named "p0".."p<n-1>" in one group. With `grid` > 0 the coordinates
// are integers in [1, grid] (many ties and duplicates); otherwise x is
// log-uniform in [1e6, 1e12] and y uniform in [1, 5].
inline std::vector<ParetoPoint> random_points(std::mt19937_64& rng, std::size_t n, int grid,
                                              const std::string& group = "g") {
  std::vector<ParetoPoint> points;
  std::uniform_int_distribution<int> cell(1, grid > 0 ? grid : 1);
  std::uniform_real_distribution<double> log_x(6.0, 12.0);
  std::uniform_real_distribution<double> y(1.0, 5.0);
  for (std::size_t i = 0; i < n; ++i) {
    ParetoPoint p{"p" + std::to_string(i), group, 0.0, 0.0};
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

// A fresh directory under the system temp folder, removed with its contents.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("mose_study_test_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;  // best effort: a leftover temp folder must not fail a test
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace mose::study::testing

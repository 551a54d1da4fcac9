// How a test case that cannot run on this machine (a [cuda] test without a GPU) ends:
// it warns with MOSE_TEST_SKIP_MARKER first and returns. CTest marks every test case whose
// output holds the marker as skipped, not passed (SKIP_REGULAR_EXPRESSION, set with the
// marker itself in tests/CMakeLists.txt); run by hand, it is a warning. Only a skipping
// test prints the marker, so a GPU test that runs and fails still fails.
#pragma once

#include <torch/cuda.h>
#include <catch2/catch.hpp>

#include <string>

namespace mose::testing {

// The caller returns right after: `skip_test_case("why"); return;`.
inline void skip_test_case(const std::string& reason) { WARN(MOSE_TEST_SKIP_MARKER << ": " << reason); }

// GPU tests run on GPU machines only: `if (!cuda_available_or_skip("what")) return;`.
inline bool cuda_available_or_skip(const std::string& what) {
  if (torch::cuda::is_available()) return true;
  skip_test_case("no CUDA GPU on this machine: " + what + " skipped");
  return false;
}

// Tests of our own kernels (kernels/cuda) need them built too: without nvcc (no
// MOSE_WITH_CUDA) a CUDA tensor takes the ATen path, which such a test would compare
// with itself.
inline bool cuda_kernels_available_or_skip(const std::string& what) {
#ifdef MOSE_WITH_CUDA
  return cuda_available_or_skip(what);
#else
  skip_test_case("built without the CUDA kernels (MOSE_WITH_CUDA): " + what + " skipped");
  return false;
#endif
}

}  // namespace mose::testing

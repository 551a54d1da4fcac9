// The one CUDA error check of kernels/: a failed runtime call, a failed kernel launch, or an
// argument a launcher cannot take throws mose::CudaError naming the file:line, the call or
// condition, and the runtime's own description. Launchers check their launches themselves
// (llm.c's cudaCheck), so their callers never see a cudaError_t.
// C++17 and torch-free for nvcc; included by kernels/cuda/*.cu only.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "base/errors.h"

namespace mose::kernels::cuda {

// "<file>:<line>: <what>: <description> (<cudaErrorName>)".
[[noreturn]] inline void throw_cuda_error(cudaError_t status, const char* what, const char* file, int line) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + what + ": " + cudaGetErrorString(status) +
                  " (" + cudaGetErrorName(status) + ")");
}

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) throw_cuda_error(status, call, file, line);
}

}  // namespace mose::kernels::cuda

// A runtime call, or the launch just made: MOSE_CUDA_CHECK(cudaGetLastError()).
#define MOSE_CUDA_CHECK(call) ::mose::kernels::cuda::check_cuda((call), #call, __FILE__, __LINE__)

// A launcher's precondition. Its callers guarantee it, so a failure is a bug in the caller,
// reported as cudaErrorInvalidValue with the condition that does not hold.
#define MOSE_CUDA_REQUIRE(condition)                                                                              \
  do {                                                                                                            \
    if (!(condition)) {                                                                                           \
      ::mose::kernels::cuda::throw_cuda_error(cudaErrorInvalidValue, "requires " #condition, __FILE__, __LINE__); \
    }                                                                                                             \
  } while (false)

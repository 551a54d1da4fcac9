// Where a trial ran, recorded with it so a result can be traced to the code and
// machine that produced it: code version, compiler, torch, CUDA, GPUs, host.
// Torch-free header; the implementation asks LibTorch.
#pragma once

#include <string>
#include <vector>

#include "db/records.h"

namespace mose::study::runner {

// `git describe --always --dirty` of the source tree when the binary was built,
// "unknown" when that was not a git checkout with commits.
std::string code_version();

// "gcc 12.2.0", "clang 16.0.6", ...
std::string compiler_version();

// The LibTorch version this binary was built against, e.g. "2.9.0".
std::string torch_version();

// Entries: code_version, compiler, torch, cuda_available, cuda_devices, gpus
// (models from the NVIDIA driver, "none" without one), host, device (as asked,
// e.g. "auto" or "cuda:1"), cpu_threads (the intra-op threads the trial runs with), pid.
std::vector<db::EnvironmentEntry> collect_environment(const std::string& device, int cpu_threads);

}  // namespace mose::study::runner

// Checks of a recipe against this machine (see recipe_preflight.h).
#include "study/recipe/recipe_preflight.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "base/errors.h"
#include "core/spec/memory.h"

namespace mose::study::recipe {
namespace {

// Physical memory, or the limit of this process's cgroup (v2) when one is set and lower:
// a container sees the host's pages but may use only its limit.
std::pair<double, std::string> machine_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  double bytes = pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
  std::string source = "this machine's physical memory";
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  double limit = 0;
  if (cgroup >> limit && limit > 0 && (bytes == 0 || limit < bytes)) {
    bytes = limit;
    source = "this process's cgroup memory.max";
  }
  return {bytes, source};
}

}  // namespace

DeviceMemory device_memory(std::optional<double> override_bytes, int workers) {
  DeviceMemory limits;
  if (override_bytes) {
    limits.cpu_bytes = limits.cuda_bytes = *override_bytes;
    limits.cpu_source = limits.cuda_source = "--device-memory";
    return limits;
  }
  const auto [bytes, source] = machine_memory();
  workers = std::max(workers, 1);
  limits.cpu_bytes = bytes / workers;
  limits.cpu_source = workers == 1 ? source : fmt::format("{} shared by {} workers", source, workers);
  limits.cuda_bytes = kAssumedCudaMemoryBytes;
  limits.cuda_source = "assumed for a GPU; set --device-memory";
  return limits;
}

double memory_limit(const DeviceMemory& limits, const std::string& device, std::string* source) {
  bool cpu = device == "cpu";
  if (device == "auto") cpu = limits.cpu_bytes <= limits.cuda_bytes;  // cuda, cuda:N: false
  if (source != nullptr) *source = cpu ? limits.cpu_source : limits.cuda_source;
  return cpu ? limits.cpu_bytes : limits.cuda_bytes;
}

void check_memory_fits(const Recipe& recipe, const DeviceMemory& limits, const std::string& device) {
  for (const TrainingTrialSpec& trial : recipe.training) {
    core::spec::RunConfig config = trial.config;
    if (!device.empty()) config.train.device = device;
    const core::spec::MemoryEstimate memory = training_memory(config);
    std::string source;
    const double limit = memory_limit(limits, config.train.device, &source);
    if (memory.total() <= limit) continue;
    throw RecipeError(fmt::format(
        "{}: trial {}: needs ~{} to train on {} ({}); expected at most {} ({}): a smaller model or train.batch_size "
        "(train.grad_accum keeps the tokens per step)",
        recipe.path.string(), trial.label, core::spec::format_bytes(memory.total()), config.train.device,
        describe_memory(memory, config), core::spec::format_bytes(limit), source));
  }
}

}  // namespace mose::study::recipe

#include "core/device.h"

#include <torch/cuda.h>

#include "base/errors.h"

namespace mose::core {

c10::Device resolve_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "auto") return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) throw ConfigError("train.device = '" + name + "': no CUDA GPU is available here");
    c10::Device device(name);
    if (device.index() >= static_cast<int>(torch::cuda::device_count())) {
      throw ConfigError("train.device = '" + name + "': only " + std::to_string(torch::cuda::device_count()) +
                        " GPU(s) present");
    }
    return device;
  }
  throw ConfigError("train.device = '" + name + "': expected auto, cpu, cuda or cuda:N");
}

}  // namespace mose::core

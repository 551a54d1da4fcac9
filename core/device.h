// Resolves a device name from the config ("auto", "cpu", "cuda", "cuda:N").
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace mose::core {

// "auto" = the first GPU when one is present, else the CPU. Asking for CUDA on a
// machine without a GPU is a ConfigError, never a silent fallback.
c10::Device resolve_device(const std::string& name);

}  // namespace mose::core

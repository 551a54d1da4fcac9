// Turns CUDA autocast off for a scope (router maths, losses) and restores it after.
#pragma once

#include <ATen/autocast_mode.h>

namespace mose::core::model {

class AutocastDisabled {
 public:
  AutocastDisabled() : was_enabled_(at::autocast::is_autocast_enabled(at::kCUDA)) {
    at::autocast::set_autocast_enabled(at::kCUDA, false);
  }
  ~AutocastDisabled() { at::autocast::set_autocast_enabled(at::kCUDA, was_enabled_); }
  AutocastDisabled(const AutocastDisabled&) = delete;
  AutocastDisabled& operator=(const AutocastDisabled&) = delete;

 private:
  bool was_enabled_;
};

}  // namespace mose::core::model

namespace mose::core::model {

// bf16 autocast on CUDA for a scope (training and evaluation forward passes on GPU).
// On CPU this does nothing: CPU runs fp32.
class CudaBf16Autocast {
 public:
  explicit CudaBf16Autocast(bool enable) : enable_(enable) {
    if (!enable_) return;
    was_enabled_ = at::autocast::is_autocast_enabled(at::kCUDA);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
  }
  ~CudaBf16Autocast() {
    if (!enable_) return;
    at::autocast::set_autocast_enabled(at::kCUDA, was_enabled_);
    at::autocast::clear_cache();
  }
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

 private:
  bool enable_;
  bool was_enabled_ = false;
};

}  // namespace mose::core::model

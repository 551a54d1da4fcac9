// Inference width policies, torch half of the width-policy extension point (descriptors:
// core/spec/width_policy.h): a spec's name picks the factory that builds its
// WidthChooser, calibrating on held-out windows when the policy needs it. Each policy's
// file registers its factory under its descriptor's name; the two registries name the
// same policies (tested).
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>
#include <string>

#include "core/model/language_model.h"
#include "core/model/width_chooser.h"
#include "core/spec/registry.h"
#include "core/spec/width_policy.h"

namespace mose::core::policy {

// calibration: [N, seq_len + 1] int64 windows disjoint from those evaluated (undefined
// for policies whose descriptor does not calibrate). The model is only run, never trained.
struct WidthPolicyFactory {
  std::string name;  // the policy's descriptor name
  std::function<std::unique_ptr<model::WidthChooser>(const spec::WidthPolicySpec& spec, model::LanguageModel& model,
                                                     const at::Tensor& calibration, int batch_size)>
      make;

  void check() const { spec::require_callback(bool(make), "width policy", name, "make"); }
};

spec::Registry<WidthPolicyFactory>& width_policy_factories();

// Validates `spec` and builds its chooser.
std::unique_ptr<model::WidthChooser> make_width_policy(const spec::WidthPolicySpec& spec, model::LanguageModel& model,
                                                       const at::Tensor& calibration, int batch_size);

}  // namespace mose::core::policy

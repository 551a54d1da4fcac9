// The width-policy factory registry (see width_policies.h).
#include "core/policy/width_policies.h"

#include <ATen/ATen.h>

namespace mose::core::policy {

spec::Registry<WidthPolicyFactory>& width_policy_factories() {
  static spec::Registry<WidthPolicyFactory> registry("width policy", "policy.name");
  return registry;
}

std::unique_ptr<model::WidthChooser> make_width_policy(const spec::WidthPolicySpec& spec, model::LanguageModel& model,
                                                       const at::Tensor& calibration, int batch_size) {
  spec.validate();
  if (spec::width_policy_kind(spec).calibrates) {
    TORCH_CHECK(calibration.defined() && calibration.dim() == 2 && calibration.size(0) > 0,
                "make_width_policy: policy '", spec.name, "' needs calibration windows [N, seq_len + 1]");
  }
  return width_policy_factories().at(spec.name).make(spec, model, calibration, batch_size);
}

}  // namespace mose::core::policy

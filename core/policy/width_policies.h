// The registry of inference width policies: a WidthPolicySpec's name picks a factory that
// builds its WidthChooser, calibrating on held-out windows when the policy needs it.
// An unknown name is a ConfigError listing the known ones.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/model/gpt.h"
#include "core/model/width_chooser.h"
#include "core/policy/width_policy_spec.h"

namespace mose::core {

std::vector<std::string> known_width_policies();

// calibration: [N, seq_len + 1] int64 windows disjoint from those evaluated; unused
// (may be undefined) for policies that need none. The model is only run, never trained.
std::unique_ptr<WidthChooser> make_width_policy(const WidthPolicySpec& spec, Gpt& model,
                                                const at::Tensor& calibration, int batch_size);

}  // namespace mose::core

// The width-sampler extension point, torch-free half: which widths each training step
// runs (train.width.sampler). A descriptor per sampler, registered from its own file
// core/spec/sampler_<name>.cpp; the torch half (core/train/width_sampler.h) registers
// the pass builder under the same name. Adding a sampler = its descriptor file, its
// pass-builder file, its tests and its row in recipes/README.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/spec/owned_setting.h"
#include "core/spec/registry.h"

namespace mose::core::spec {

struct WidthTrainingConfig;

struct WidthSamplerKind {
  std::string name;                    // train.width.sampler
  std::string summary;                 // one line for docs and `mose-study check`
  std::vector<OwnedSetting> settings;  // keys "train.width.<setting name>"
  // Forward/backward passes per micro-batch, for compute estimates.
  std::function<double(const WidthTrainingConfig&)> passes_per_step;
  // Cross-setting checks beyond the owned settings' ranges; may be empty.
  std::function<void(const WidthTrainingConfig&)> validate;

  void check() const { require_callback(bool(passes_per_step), "width sampler", name, "passes_per_step"); }
};

Registry<WidthSamplerKind>& width_samplers();

// The sampler `width.sampler` names; ConfigError listing the known ones when none does.
const WidthSamplerKind& width_sampler(const WidthTrainingConfig& width);

}  // namespace mose::core::spec

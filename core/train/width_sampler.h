// Multi-width training: which width configurations a training step runs. This is the
// torch half of the width-sampler extension point (descriptors: core/spec/width_sampler.h):
// each sampler's file registers a pass builder under its descriptor's name, built from
// the two kinds of pass below.
//   uniform pass : every assignment at one width w
//   random pass  : widths drawn from W at a granularity: one width for the step, one per
//                  MoE layer, one per (layer, expert), or one per (token, expert) assignment
// W = {1.0} is standard MoE training. Passes come widest first, so in-place
// distillation can use the first pass's logits as the teacher.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/model/width_chooser.h"
#include "core/spec/config.h"
#include "core/spec/registry.h"

namespace mose::core::train {

struct WidthPass {
  std::unique_ptr<model::WidthChooser> chooser;
  bool full_width = false;  // every assignment at width 1.0: the distillation teacher
  std::string label;        // for logs: "w=1", "w=0.25", "random(layer)"
};

class WidthSampler {
 public:
  WidthSampler(const spec::WidthTrainingConfig& config, const spec::ModelConfig& model);
  // The passes of one micro-batch, from the builder of config.sampler. `seed` makes the
  // random draws reproducible.
  std::vector<WidthPass> passes(uint64_t seed) const;

  // Building blocks of the pass builders.
  WidthPass uniform_pass(double width) const;
  WidthPass random_pass(uint64_t seed) const;
  const spec::WidthTrainingConfig& config() const { return config_; }

 private:
  spec::WidthTrainingConfig config_;
  int n_moe_layers_;
  int n_experts_;
};

struct WidthPassBuilder {
  std::string name;  // the sampler's descriptor name
  std::function<std::vector<WidthPass>(const WidthSampler& sampler, uint64_t seed)> passes;

  void check() const { spec::require_callback(bool(passes), "width sampler", name, "passes"); }
};

spec::Registry<WidthPassBuilder>& width_pass_builders();

}  // namespace mose::core::train

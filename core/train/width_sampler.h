// Multi-width training: which width configurations a training step runs.
//   all      : every width in W, each as one uniform pass (losses summed)
//   sandwich : the widest (1.0) and the narrowest width of W, plus n random passes
//              (Yu & Huang 2019, "Universally Slimmable Networks")
//   random   : one random pass
// A random pass draws from W at a granularity: one width for the step, one per MoE
// layer, one per (layer, expert), or one per (token, expert) assignment.
// W = {1.0} is standard MoE training. Passes come widest first, so in-place
// distillation can use the first pass's logits as the teacher.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/model/width_chooser.h"

namespace mose::core {

struct WidthPass {
  std::unique_ptr<WidthChooser> chooser;
  bool full_width = false;  // every assignment at width 1.0: the distillation teacher
  std::string label;        // for logs: "w=1", "w=0.25", "random(layer)"
};

class WidthSampler {
 public:
  WidthSampler(const WidthTrainingConfig& config, const ModelConfig& model);
  // The passes of one micro-batch. `seed` makes the random draws reproducible.
  std::vector<WidthPass> passes(uint64_t seed) const;

 private:
  WidthPass uniform_pass(double width) const;
  WidthPass random_pass(uint64_t seed) const;

  WidthTrainingConfig config_;
  int n_moe_layers_;
  int n_experts_;
};

}  // namespace mose::core

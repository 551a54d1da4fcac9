// Width sampler "random" (core/spec/sampler_random.cpp): one random pass per step
// (uniform at 1.0 when W = {1.0}).
#include "core/train/width_sampler.h"

namespace mose::core::train {
namespace {

std::vector<WidthPass> random_passes(const WidthSampler& sampler, uint64_t seed) {
  const std::vector<double>& w = sampler.config().widths;
  std::vector<WidthPass> out;
  out.push_back(w.size() == 1 ? sampler.uniform_pass(w.front()) : sampler.random_pass(seed));
  return out;
}

const spec::Registration<WidthPassBuilder> kRegistered(width_pass_builders(), {"random", random_passes});

}  // namespace
}  // namespace mose::core::train

// Width sampler "all" (core/spec/sampler_all.cpp): every width of W, widest first.
#include "core/train/width_sampler.h"

namespace mose::core::train {
namespace {

std::vector<WidthPass> all_passes(const WidthSampler& sampler, uint64_t) {
  std::vector<WidthPass> out;
  const std::vector<double>& w = sampler.config().widths;
  for (auto it = w.rbegin(); it != w.rend(); ++it) out.push_back(sampler.uniform_pass(*it));
  return out;
}

const spec::Registration<WidthPassBuilder> kRegistered(width_pass_builders(), {"all", all_passes});

}  // namespace
}  // namespace mose::core::train

// Width sampler "sandwich" (core/spec/sampler_sandwich.h): the widest width, the
// narrowest, then n random passes, each seeded by its own counter hash of the step seed.
#include "core/spec/sampler_sandwich.h"
#include "core/data/counter_rng.h"
#include "core/train/width_sampler.h"

namespace mose::core::train {
namespace {

std::vector<WidthPass> sandwich_passes(const WidthSampler& sampler, uint64_t seed) {
  std::vector<WidthPass> out;
  const std::vector<double>& w = sampler.config().widths;
  out.push_back(sampler.uniform_pass(w.back()));
  if (w.size() > 1) {
    out.push_back(sampler.uniform_pass(w.front()));
    const int random_passes = spec::sandwich_sampling(sampler.config()).random_passes;
    for (int i = 0; i < random_passes; ++i) out.push_back(sampler.random_pass(data::counter_hash(seed, i)));
  }
  return out;
}

const spec::Registration<WidthPassBuilder> kRegistered(width_pass_builders(), {"sandwich", sandwich_passes});

}  // namespace
}  // namespace mose::core::train

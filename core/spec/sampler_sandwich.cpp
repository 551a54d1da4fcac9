// Width sampler "sandwich" (see sampler_sandwich.h).
#include "core/spec/sampler_sandwich.h"

#include "core/spec/width_sampler.h"

namespace mose::core::spec {
namespace {

constexpr char kSandwichRandom[] = "train.width.sandwich_random";
// Each random pass is one more forward and backward pass per micro-batch; the MoSE
// paper uses 2.
constexpr int64_t kMaxRandomPasses = 64;

WidthSamplerKind sandwich() {
  WidthSamplerKind kind;
  kind.name = "sandwich";
  kind.summary = "the widest and the narrowest width of W plus n random passes each step";
  kind.settings = {[] {
    OwnedSetting s = OwnedSetting::integer("sandwich_random", 2, SettingRange::between(0, kMaxRandomPasses),
                                           "sandwich: random passes besides the widest and the narrowest");
    s.always_listed = true;
    return s;
  }()};
  // One pass when W = {1.0}: the widest and the narrowest coincide and nothing is random.
  kind.passes_per_step = [](const WidthTrainingConfig& w) {
    return w.widths.size() == 1 ? 1.0 : 2.0 + sandwich_sampling(w).random_passes;
  };
  return kind;
}

const Registration<WidthSamplerKind> kRegistered(width_samplers(), sandwich());

}  // namespace

SandwichSampling sandwich_sampling(const WidthTrainingConfig& width) {
  return {static_cast<int>(width.options.integer(kSandwichRandom))};
}

}  // namespace mose::core::spec

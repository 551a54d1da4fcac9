// Width policies "uniform" and "uniform_k" (core/spec/policy_uniform*.cpp): every
// assignment at spec.width. uniform_k's k is applied to the routers by the engine before
// evaluation (random_k models), not by the chooser.
#include "core/policy/width_policies.h"

namespace mose::core::policy {
namespace {

std::unique_ptr<model::WidthChooser> make_uniform(const spec::WidthPolicySpec& spec, model::LanguageModel&,
                                                  const at::Tensor&, int) {
  return std::make_unique<model::UniformWidth>(spec.width);
}

const spec::Registration<WidthPolicyFactory> kUniform(width_policy_factories(), {"uniform", make_uniform});
const spec::Registration<WidthPolicyFactory> kUniformK(width_policy_factories(), {"uniform_k", make_uniform});

}  // namespace
}  // namespace mose::core::policy

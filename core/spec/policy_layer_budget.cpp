// Width policy "layer_budget": one width per MoE layer, allocated greedily by
// calibration-loss gain per expert FLOP under the budget B (core/policy/layer_budget_width.h).
#include "core/spec/width_policy.h"

namespace mose::core::spec {
namespace {

const Registration<WidthPolicyKind> kRegistered(
    width_policies(),
    budgeted_policy_kind("layer_budget",
                         "one width per MoE layer, allocated greedily by calibration loss gain per FLOP"));

}  // namespace
}  // namespace mose::core::spec

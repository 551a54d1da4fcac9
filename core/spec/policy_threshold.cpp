// Width policy "threshold": router confidence -> width through per-layer thresholds
// calibrated so that the mean width meets the budget B (core/policy/threshold_width.h).
#include "core/spec/width_policy.h"

namespace mose::core::spec {
namespace {

const Registration<WidthPolicyKind> kRegistered(
    width_policies(),
    budgeted_policy_kind("threshold",
                         "router confidence -> width through thresholds calibrated so the mean width is B"));

}  // namespace
}  // namespace mose::core::spec

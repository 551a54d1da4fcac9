// Runs one evaluation trial: a width policy applied to its training trial's
// checkpoint, validation loss and FLOPs recorded (eval_metrics.h). The checkpoint is
// verified first against the CRC-32 and size its training trial recorded (artifact
// "checkpoint"), so a damaged file fails the trial instead of producing a result.
#pragma once

#include "study/recipe/recipe.h"
#include "study/runner/trial_context.h"

namespace mose::study::runner {

// Throws CheckpointError when the training trial's checkpoint is gone (removed by
// `mose-study gc`: reset the training trial to train it again) or does not match its
// recorded checksum (the message names the file and both checksums), LeaseLost when the
// trial was taken over, and whatever the engine throws.
TrialEnd run_eval_trial(const TrialContext& context, const recipe::EvalTrialSpec& spec,
                        const recipe::TrainingTrialSpec& training);

}  // namespace mose::study::runner

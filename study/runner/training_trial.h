// Runs one training trial: trains (resuming from the trial's checkpoint when an
// earlier attempt left one), records the training curves as it goes, and records the
// checkpoint as an artifact (kind "checkpoint", path relative to the study folder,
// CRC-32 checksum, size). It evaluates nothing: validation loss and tasks are its
// evaluation trials' (a uniform width-1.0 policy gives the full-width val_loss), so a
// training trial's results depend only on what it trained.
//
// Curves (one point per logged step): lm_loss, aux_loss, balance_loss, z_loss, lr,
// grad_norm, tokens_per_s, tokens, and pass_loss:<pass label> per width pass label
// (e.g. pass_loss:w=0.25; the mean when several passes of a step share the label).
// Metrics: train_loss, steps, tokens, train_seconds and train_tokens_per_s (the
// training time of every step in the final model, summed over the attempts that trained
// them; time an attempt spent past its last checkpoint is lost with it and not counted),
// attempt_train_seconds and attempt_tokens_per_s (the last attempt alone),
// resumed_from_step (0 for a fresh start), parameters, expert_parameters, vocab_size
// (training trials stored before issue 16 also hold the full-width evaluation metrics
// of their own evaluation, eval_metrics.h). Curves and train_loss
// survive a retry: they are the history of the checkpoint the trial continues.
#pragma once

#include "study/recipe/recipe.h"
#include "study/runner/trial_context.h"

namespace mose::study::runner {

// kReleased when a stop was requested (stop_signal.h): training checkpointed and the
// trial is pending again. Throws LeaseLost when the trial was taken over, and whatever
// the engine throws (the caller records it as the trial's failure).
TrialEnd run_training_trial(const TrialContext& context, const recipe::TrainingTrialSpec& spec);

}  // namespace mose::study::runner

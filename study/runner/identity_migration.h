// Trials stored under an identity the current one replaces keep their results. Before
// issue 16 a training trial's hash covered the evaluation settings too (eval.tokens,
// eval.batch_size, eval.tasks), so adding a task retrained every model; now it covers
// only what changes the trained weights, and an evaluation trial's hash covers what it
// measures. A study's trials are found under the hashes the recipe's trials had before
// (TrainingTrialSpec / EvalTrialSpec::legacy_config_hash) and given the new ones, with
// their checkpoints (named by training hash) renamed: the study resumes where it was,
// retraining nothing.
//
// Done at registration, from the recipe, because only the settings table knows which
// setting is which (the store knows none); a trial the recipe no longer expands to
// keeps its old hash. Checkpoint files are renamed before the store is changed: a try
// cut off between the two finds the files already renamed and re-keys the store, so
// running it again always completes it. Run with no worker of an older mose still
// running the study (it would write checkpoints under the old names).
#pragma once

#include <cstdint>

#include "db/storage.h"
#include "study/recipe/recipe.h"
#include "study/recipe/study_paths.h"

namespace mose::study::runner {

// Re-keys the trials of study `study_id` stored under a legacy hash of one of `recipe`'s
// trials (when the new hash is not taken), renaming their checkpoint files in
// paths.checkpoints(). Returns how many trials it re-keyed. Throws IoError naming a file
// it cannot rename, before the store is changed.
std::size_t migrate_trial_identities(db::Storage& storage, std::int64_t study_id, const recipe::Recipe& recipe,
                                     const recipe::StudyPaths& paths);

}  // namespace mose::study::runner

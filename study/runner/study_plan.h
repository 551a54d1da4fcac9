// A recipe registered in the store: the study record and, for every trial the recipe
// expands to, its trial id. Registration is idempotent (trials are identified by
// config hash), so running a recipe again finds the trials it already added, done or
// not, and adds only the new ones. Workers look claimed trials up here to find the
// settings to run them with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "db/storage.h"
#include "study/recipe/recipe.h"
#include "study/recipe/study_paths.h"

namespace mose::study::runner {

struct PlannedTrial {
  db::TrialKind kind = db::TrialKind::kTrain;
  std::size_t index = 0;  // into recipe::Recipe::training (kTrain) or recipe::Recipe::evaluation (kEval)
};

struct StudyPlan {
  recipe::Recipe recipe{};
  recipe::StudyPaths paths{};
  db::StudyRecord study{};
  std::vector<std::int64_t> training_ids{};  // per recipe::Recipe::training entry
  std::vector<std::int64_t> eval_ids{};      // per recipe::Recipe::evaluation entry
  std::map<std::int64_t, PlannedTrial> by_id{};
  std::int64_t added = 0;  // trials new to the store in this registration

  // nullopt when trial `id` is not one of this recipe's (e.g. a trial an earlier
  // version of the recipe added to the same study).
  std::optional<PlannedTrial> find(std::int64_t id) const;
  // Every trial id of the recipe, training trials first.
  std::vector<std::int64_t> trial_ids() const;
  // The recipe's label of a planned trial; "?" for an id the recipe does not hold.
  std::string label(std::int64_t id) const;
};

// The recipe's text as stored with the study: the recipe file followed by each
// included file, each after a "# ---- <path>" line with its canonical absolute path
// (so the same recipe reached by another path gives the same text). Throws IoError
// naming a file that cannot be read.
std::string recipe_text(const recipe::Recipe& recipe);

// Creates the study (named recipe.name) if the store lacks it, re-keys trials it holds
// under a replaced identity (identity_migration.h), and adds the recipe's
// trials in one transaction per kind: training trials, then evaluation trials with
// their training trial as parent. Logs a warning when the stored recipe text differs
// from this one, paths compared canonically (the study keeps its first recipe; trials
// are matched by hash). The study records the recipe's canonical absolute path.
StudyPlan register_study(db::Storage& storage, recipe::Recipe recipe, recipe::StudyPaths paths);

}  // namespace mose::study::runner

// A recipe after parsing and type-checking, before expansion: the base overrides,
// modes, sweep axes, explicit trials and policies, each value already checked against
// its key. Positions are kept only where expansion can still fail (axes, trials,
// policies).
// recipe_parser.cpp builds it from the merged settings; recipe_expand.cpp turns it
// into trials. Private to study/.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/spec/width_policy.h"
#include "study/recipe/recipe_diagnostics.h"
#include "study/recipe/recipe_keys.h"

namespace mose::study::recipe {

// One key set to one value somewhere in the recipe.
struct Override {
  const RecipeKey* key = nullptr;
  FieldValue value;
};

struct ModePlan {
  std::string name;
  std::vector<Override> overrides;
};

struct AxisPlan {
  const RecipeKey* key = nullptr;
  std::vector<Override> values;  // non-empty
  Where where;                   // the axis's key in [sweep]
};

struct TrialPlan {
  Where where;                      // the [[trial]] table
  std::optional<std::size_t> mode;  // into RecipePlan::modes
  std::vector<Override> overrides;  // in file order
};

struct PolicyPlan {
  Where where;        // the [[policy]] table
  std::string shown;  // "policy[0]"
  const core::spec::WidthPolicyKind* kind = nullptr;
  std::vector<core::spec::WidthPolicySpec> policies;
};

struct RecipePlan {
  std::string name, description;
  std::filesystem::path path;
  std::vector<std::filesystem::path> files;
  std::vector<Override> base;  // the engine tables, merged over the includes
  std::vector<ModePlan> modes;
  std::vector<AxisPlan> axes;
  std::vector<TrialPlan> trials;
  std::vector<PolicyPlan> policies;
  int seeds = 1;      // [study] seeds
  Where seeds_where;  // where it is set, for the trial-count error
};

// [study] seeds: enough for any interval, few enough that a typo (seeds = 1000) is caught.
inline constexpr int64_t kMaxSeeds = 100;

// Loads the recipe and its includes and checks every key and value. Throws RecipeError.
RecipePlan parse_recipe(const std::filesystem::path& path);

}  // namespace mose::study::recipe

// A recipe's text as one ordered list of settings: the file and its includes parsed
// with toml++, flattened to leaves (dotted path -> value) and merged. Flattening, with
// quoted keys split at their dots, makes the three spellings of a key the same setting
// ([model] n_layer = 4, model.n_layer = 4 and "model.n_layer" = 4; no recipe name may
// contain a dot, so nothing is lost), and makes merging a deep merge: a later
// file replaces a leaf (arrays included, since arrays are leaves) and adds new ones,
// keeping the earlier order. Within one file a setting is written once, in whichever
// spelling. Order is file order (toml++ tables iterate sorted by key, so leaves are
// ordered by their source position). Private to study/.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "study/recipe/recipe_diagnostics.h"

namespace mose::study::recipe {

// One leaf of a recipe document.
struct Setting {
  std::vector<std::string> path;      // key segments; a quoted "a.b" is split like a bare a.b
  std::string key;                    // the segments joined with '.'
  const toml::node* value = nullptr;  // a scalar, an array, or an empty table
  Where where;                        // the position of the key (its last segment)
  std::vector<Where> segment_where;   // the position of each segment (the first [sweep] header, ...)
};

struct RecipeSource {
  std::vector<std::filesystem::path> files;             // the recipe, then each include once, in load order
  std::vector<Setting> settings;                        // merged, in file order
  std::vector<std::unique_ptr<toml::table>> documents;  // owns every node `settings` points at
};

// Reads `path` and its includes (`include = [...]`, relative to the including file,
// merged before the including file's own settings, in the order listed; a file
// included along two paths is merged once, where first reached). Throws
// RecipeError for unreadable files, TOML syntax errors, malformed includes and cycles.
RecipeSource load_recipe_source(const std::filesystem::path& path);

// The leaves of `table` in file order, their paths starting with `prefix`. Empty tables
// are leaves (they declare something: a mode without overrides); arrays, arrays of
// tables included, are leaves. Two leaves with the same key (two spellings of one
// setting) are a RecipeError naming both places, the key shown after `shown`
// ("trial[0].").
std::vector<Setting> flatten(const toml::table& table, const std::vector<std::string>& prefix = {},
                             std::string_view shown = "");

}  // namespace mose::study::recipe

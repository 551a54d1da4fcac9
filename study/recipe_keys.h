// The one table of recipe keys: every engine setting a recipe may set, by its dotted
// path ("model.router.top_k"), with its value type, a description, and how to set and
// read it on a core::RunConfig. The nested tables ([model.router] top_k = 2) and the
// dotted overrides of [modes.*], [sweep] and [[trial]] both resolve through it, so the
// two spellings cannot drift apart. Private to study/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config.h"
#include "study/canonical_json.h"

namespace mose::study {

enum class ValueKind { kInteger, kFloat, kBool, kString, kFloatList, kStringList };

// A type-checked recipe value, one alternative per ValueKind (integers already
// range-checked against their field).
using FieldValue = std::variant<int64_t, double, bool, std::string, std::vector<double>, std::vector<std::string>>;

struct RecipeKey {
  std::string key;  // dotted path, as config_entries spells it
  ValueKind kind = ValueKind::kString;
  int64_t min_integer = 0;  // the range a kInteger field can hold
  int64_t max_integer = 0;
  std::string description;
  std::function<void(core::RunConfig&, const FieldValue&)> set;
  std::function<JsonValue(const core::RunConfig&)> get;
};

// Every key, in config_entries order (data, model, train, eval).
const std::vector<RecipeKey>& recipe_keys();

// nullptr when `key` is not a recipe key.
const RecipeKey* find_recipe_key(std::string_view key);

// Names of the keys that start with `prefix` ("" = all).
std::vector<std::string> recipe_key_names(std::string_view prefix = "");

// "an integer", "an array of numbers", ... for messages.
std::string kind_expectation(ValueKind kind);

// The canonical nested form of every setting config_entries lists: {"data":{...},
// "eval":{...},"model":{"router":{...},...},"train":{...}}, typed through the key
// table. A listed setting without a recipe key (a new engine field not yet exposed)
// still enters, as its canonical text, so it still changes the hash.
JsonValue config_json(const core::RunConfig& config);

// A value as labels show it: strings bare, everything else as canonical JSON.
std::string value_text(const JsonValue& value);

}  // namespace mose::study

// Reading typed values out of toml++ nodes, with messages in the recipe format.
// Integer literals are accepted where a float is expected; a float where an integer is
// expected is an error (it would be silently truncated). Private to study/.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "study/recipe/recipe_diagnostics.h"
#include "study/recipe/recipe_keys.h"

namespace mose::study::recipe {

Where where_of(const toml::source_region& source);

// "2.5 (a float)", "\"abc\" (a string)", "a table": what was found, for messages, cut
// to 48 characters ("...") so a huge value cannot flood a message.
std::string describe_node(const toml::node& node);

// `node` as a value of kind `kind` (integers within [min_integer, max_integer]).
// `shown` names the key in messages. Throws RecipeError at the offending node (for an
// array, at the offending element).
FieldValue read_value(ValueKind kind, int64_t min_integer, int64_t max_integer, const toml::node& node,
                      std::string_view shown);

inline FieldValue read_field(const RecipeKey& key, const toml::node& node, std::string_view shown) {
  return read_value(key.kind, key.min_integer, key.max_integer, node, shown);
}

// A string value, or a RecipeError naming `shown` and `expected`.
std::string read_string(const toml::node& node, std::string_view shown, std::string_view expected);

}  // namespace mose::study::recipe

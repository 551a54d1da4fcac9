// Where a recipe setting came from, and the one message format every recipe error
// uses:  <file>:<line>:<column>: <key>: <what was wrong>; expected <what>
// (":<line>:<column>" is left out when there is no single place, e.g. a missing key).
// Private to study/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.h"

namespace mose::study::recipe {

struct Where {
  std::string file;
  uint32_t line = 0;  // 1-based; 0 = the file as a whole
  uint32_t column = 0;
  std::string text() const;  // "file:line:column" or "file"
};

RecipeError recipe_error(const Where& where, std::string_view key, std::string_view problem, std::string_view expected);

// Known keys that `key` was probably meant to be: a small edit distance, or the same
// last dotted segment (a key written in the wrong table). Best first, at most three.
std::vector<std::string> close_matches(std::string_view key, const std::vector<std::string>& known);

// "unknown key" naming the close matches if any, otherwise every key in `known`.
// `shown` is the key as the recipe spells it; `key` the part compared with `known`.
RecipeError unknown_key_error(const Where& where, std::string_view shown, std::string_view key,
                              const std::vector<std::string>& known);

// "a, b or c" (or "a, b, c" with last = ", ").
std::string join_alternatives(const std::vector<std::string>& items, std::string_view last = " or ");

}  // namespace mose::study::recipe

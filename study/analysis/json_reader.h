// Reading a study's stored JSON (trial configs written by the canonical writer) back,
// with nlohmann's parser, so analysis, status and show work from the store alone.
// Numbers keep their kind (integers stay integers); object members keep their order;
// the canonical writer's strings "inf", "-inf", "nan" stay strings (see as_number).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "study/recipe/canonical_json.h"

namespace mose::study::analysis {

using Json = recipe::Json;

// Throws DataError "<source>: offset <n>: <what the parser found>" on malformed text,
// trailing characters, or nesting deeper than 256 levels (what is read is walked
// recursively). Bytes that are not well-formed UTF-8 (a Latin-1 path the canonical writer
// passed through) read as U+FFFD.
Json parse_json(std::string_view text, std::string_view source);

// The member `key` of an object, or the value at a dotted path ("model.router.type")
// through nested objects; nullptr when absent or when a step is not an object.
const Json* json_find(const Json& value, std::string_view dotted_path);

// A number as double: integers, floats, and the canonical writer's spellings of
// non-finite doubles ("inf", "-inf", "nan"); nullopt for anything else.
std::optional<double> as_number(const Json& value);

// A string's text, any other value as canonical JSON ("2", "true", "[0.5,1]");
// nullopt when `value` is nullptr (an absent member).
std::optional<std::string> json_text(const Json* value);

}  // namespace mose::study::analysis

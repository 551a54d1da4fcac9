// Reads JSON text (RFC 8259) back into a JsonValue: the inverse of
// to_canonical_json, so that a study's stored trial configs can be read without the
// recipe that produced them (analysis, status and show work from the store alone).
// Integers become int64 (uint64 above INT64_MAX), other numbers double; object members
// keep their order; the strings "inf", "-inf", "nan" stay strings (see as_number).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "study/canonical_json.h"

namespace mose::study {

// Throws DataError "<source>: offset <n>: <problem>; expected <what>" on malformed text,
// trailing characters, or nesting deeper than 256 levels.
JsonValue parse_json(std::string_view text, std::string_view source);

// The member `key` of an object, or the value at a dotted path ("model.router.type")
// through nested objects; nullptr when absent or when a step is not an object.
const JsonValue* json_find(const JsonValue& value, std::string_view dotted_path);

// A number as double: int64, uint64 or double, and the canonical writer's spellings of
// non-finite doubles ("inf", "-inf", "nan"); nullopt for anything else.
std::optional<double> as_number(const JsonValue& value);

// A string's text, any other value as canonical JSON ("2", "true", "[0.5,1]");
// nullopt when `value` is nullptr (an absent member).
std::optional<std::string> json_text(const JsonValue* value);

}  // namespace mose::study

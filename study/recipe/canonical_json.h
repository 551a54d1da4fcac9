// Canonical JSON text: object keys sorted (byte order), no whitespace, doubles in their
// shortest round-trip form, non-finite doubles as the strings "inf", "-inf", "nan" (JSON
// cannot express them). Canonical text is what a study hashes to identify a trial, so the
// same settings must always give the same bytes, whatever order they were written or
// built in; the writer is ours (nlohmann's dump formats doubles differently, e.g. 1.0 as
// "1.0") and must never change, while values are nlohmann::ordered_json.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/spec/setting.h"

namespace mose::study::recipe {

// A JSON value whose objects keep insertion order (labels list fields as built); the
// canonical writer sorts.
using Json = nlohmann::ordered_json;

std::string to_canonical_json(const Json& value);

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

// A setting's value as JSON: integers, numbers, booleans, strings and arrays of them.
Json to_json(const core::spec::SettingValue& value);

}  // namespace mose::study::recipe

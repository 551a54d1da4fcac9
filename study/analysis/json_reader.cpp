// Stored JSON read back through nlohmann's parser (see json_reader.h).
#include "study/analysis/json_reader.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "base/errors.h"

namespace mose::study::analysis {
namespace {

constexpr int kMaxDepth = 256;

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest says it.
std::string without_tag(const std::string& what) {
  const std::size_t end = what.find("] ");
  return end == std::string::npos ? what : what.substr(end + 2);
}

// The length of the well-formed UTF-8 sequence at text[i] (RFC 3629, table 3-7 of the
// Unicode standard: no overlong forms, no surrogates, nothing above U+10FFFF), 0 if none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = at(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    length = 3, low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
  else if (lead >= 0xF0 && lead <= 0xF4)
    length = 4, low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
  if (length == 0 || i + length > text.size() || at(1) < low || at(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (at(k) < 0x80 || at(k) > 0xBF) return 0;
  }
  return length;
}

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD. The
// canonical writer passes a path's bytes through as they are, and JSON (nlohmann's
// parser) takes UTF-8 only: a stored config holding a Latin-1 path must still read back.
std::string with_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

Json parse_json(std::string_view text, std::string_view source) {
  const Json::parser_callback_t limit_depth = [source](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxDepth) {
      throw DataError(fmt::format("{}: JSON nested deeper than {} levels", source, kMaxDepth));
    }
    return true;
  };
  try {
    const std::string utf8 = with_valid_utf8(text);
    return Json::parse(utf8.begin(), utf8.end(), limit_depth);
  } catch (const Json::parse_error& error) {
    throw DataError(
        fmt::format("{}: offset {}: {}", source, error.byte == 0 ? 0 : error.byte - 1, without_tag(error.what())));
  }
}

const Json* json_find(const Json& value, std::string_view dotted_path) {
  const Json* at = &value;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted_path.find('.', start);
    const std::string key(
        dotted_path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
    if (dot == std::string_view::npos) return at;
    start = dot + 1;
  }
}

std::optional<double> as_number(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const std::string& s = value.get_ref<const std::string&>();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

std::optional<std::string> json_text(const Json* value) {
  if (value == nullptr) return std::nullopt;
  return value->is_string() ? value->get<std::string>() : recipe::to_canonical_json(*value);
}

}  // namespace mose::study::analysis

// Canonical JSON writer (see canonical_json.h for the rules).
#include "study/canonical_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mose::study {
namespace {

void write(std::string& out, const JsonValue& value);

void write_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"nan\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"inf\"" : "\"-inf\"";
  } else {
    out += fmt::format("{}", v);  // shortest representation that round-trips
  }
}

void write_object(std::string& out, const JsonValue::Object& object) {
  std::vector<const std::pair<std::string, JsonValue>*> members;
  for (const auto& member : object) members.push_back(&member);
  std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  out += '{';
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i > 0 && members[i]->first == members[i - 1]->first) {
      throw std::logic_error("canonical JSON: repeated object key '" + members[i]->first + "'");
    }
    if (i > 0) out += ',';
    out += json_quote(members[i]->first);
    out += ':';
    write(out, members[i]->second);
  }
  out += '}';
}

void write(std::string& out, const JsonValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) {
          out += fmt::format("{}", v);
        } else if constexpr (std::is_same_v<T, double>) {
          write_double(out, v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += json_quote(v);
        } else if constexpr (std::is_same_v<T, JsonValue::Array>) {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ',';
            write(out, v[i]);
          }
          out += ']';
        } else {
          write_object(out, v);
        }
      },
      value.variant());
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        // Other control characters must be escaped; UTF-8 bytes pass through unchanged.
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string to_canonical_json(const JsonValue& value) {
  std::string out;
  write(out, value);
  return out;
}

}  // namespace mose::study

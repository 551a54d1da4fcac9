// Canonical JSON writer (see canonical_json.h for the rules).
#include "study/recipe/canonical_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mose::study::recipe {
namespace {

void write(std::string& out, const Json& value);

void write_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"nan\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"inf\"" : "\"-inf\"";
  } else {
    out += fmt::format("{}", v);  // shortest representation that round-trips
  }
}

void write_object(std::string& out, const Json& object) {
  std::vector<std::pair<const std::string*, const Json*>> members;
  for (const auto& [key, member] : object.items()) members.emplace_back(&key, &member);
  std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  out += '{';
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out += ',';
    out += json_quote(*members[i].first);
    out += ':';
    write(out, *members[i].second);
  }
  out += '}';
}

void write(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += fmt::format("{}", value.get<int64_t>()); break;
    case Json::value_t::number_unsigned: out += fmt::format("{}", value.get<uint64_t>()); break;
    case Json::value_t::number_float: write_double(out, value.get<double>()); break;
    case Json::value_t::string: out += json_quote(value.get_ref<const std::string&>()); break;
    case Json::value_t::array:
      out += '[';
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ',';
        write(out, value[i]);
      }
      out += ']';
      break;
    case Json::value_t::object: write_object(out, value); break;
    case Json::value_t::binary:
    case Json::value_t::discarded: throw std::logic_error("canonical JSON: a value with no JSON text");
  }
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

std::string to_canonical_json(const Json& value) {
  std::string out;
  write(out, value);
  return out;
}

Json to_json(const core::spec::SettingValue& value) {
  return std::visit([](const auto& v) { return Json(v); }, value);
}

}  // namespace mose::study::recipe

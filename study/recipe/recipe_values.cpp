// Type checks of recipe values (see recipe_values.h).
#include "study/recipe/recipe_values.h"

#include <fmt/format.h>

#include <limits>
#include <sstream>

#include "study/recipe/canonical_json.h"

namespace mose::study::recipe {
namespace {

std::string type_phrase(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::string: return "a string";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

std::string integer_expectation(int64_t min_integer, int64_t max_integer) {
  if (min_integer == std::numeric_limits<int64_t>::min() && max_integer == std::numeric_limits<int64_t>::max()) {
    return "an integer";
  }
  if (min_integer == 0 && max_integer == std::numeric_limits<int64_t>::max()) return "a non-negative integer";
  return fmt::format("an integer in [{}, {}]", min_integer, max_integer);
}

[[noreturn]] void wrong(const toml::node& node, std::string_view shown, std::string_view expected) {
  throw recipe_error(where_of(node.source()), shown, "got " + describe_node(node), expected);
}

int64_t read_integer(const toml::node& node, int64_t min_integer, int64_t max_integer, std::string_view shown) {
  const auto* integer = node.as_integer();
  if (integer == nullptr) {
    wrong(node, shown, min_integer == 0 ? integer_expectation(min_integer, max_integer) : "an integer");
  }
  const int64_t v = integer->get();
  if (v < min_integer || v > max_integer) wrong(node, shown, integer_expectation(min_integer, max_integer));
  return v;
}

double read_number(const toml::node& node, std::string_view shown, std::string_view expected) {
  if (const auto* integer = node.as_integer()) return static_cast<double>(integer->get());
  if (const auto* floating = node.as_floating_point()) return floating->get();
  wrong(node, shown, expected);
}

const toml::array& read_array(const toml::node& node, std::string_view shown, std::string_view expected) {
  const toml::array* array = node.as_array();
  if (array == nullptr) wrong(node, shown, expected);
  return *array;
}

}  // namespace

Where where_of(const toml::source_region& source) {
  return Where{source.path ? *source.path : std::string("<recipe>"), source.begin.line, source.begin.column};
}

std::string describe_node(const toml::node& node) {
  constexpr std::size_t kMaxShown = 48;
  if (node.is_table()) return "a table";
  if (const auto* string = node.as_string()) {
    std::string shown = string->get();
    if (shown.size() > kMaxShown) {
      std::size_t cut = kMaxShown - 3;
      while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
      shown = shown.substr(0, cut) + "...";
    }
    return json_quote(shown) + " (a string)";
  }
  std::ostringstream text;
  node.visit([&text](const auto& n) { text << n; });
  std::string shown = text.str();
  if (shown.size() > kMaxShown) shown = shown.substr(0, kMaxShown - 3) + "...";
  return shown + " (" + type_phrase(node) + ")";
}

std::string read_string(const toml::node& node, std::string_view shown, std::string_view expected) {
  const auto* string = node.as_string();
  if (string == nullptr) wrong(node, shown, expected);
  return string->get();
}

FieldValue read_value(ValueKind kind, int64_t min_integer, int64_t max_integer, const toml::node& node,
                      std::string_view shown) {
  const std::string expected = kind_expectation(kind);
  switch (kind) {
    case ValueKind::kInteger: return read_integer(node, min_integer, max_integer, shown);
    case ValueKind::kFloat: return read_number(node, shown, expected);
    case ValueKind::kBool: {
      const auto* boolean = node.as_boolean();
      if (boolean == nullptr) wrong(node, shown, expected);
      return boolean->get();
    }
    case ValueKind::kString: return read_string(node, shown, expected);
    case ValueKind::kFloatList: {
      std::vector<double> values;
      for (const toml::node& item : read_array(node, shown, expected)) {
        values.push_back(read_number(item, shown, "every element to be a number"));
      }
      return values;
    }
    case ValueKind::kStringList: {
      std::vector<std::string> values;
      for (const toml::node& item : read_array(node, shown, expected)) {
        values.push_back(read_string(item, shown, "every element to be a string"));
      }
      return values;
    }
  }
  wrong(node, shown, expected);
}

}  // namespace mose::study::recipe

// A small recursive-descent JSON reader (see json_reader.h).
#include "study/json_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "base/errors.h"

namespace mose::study {
namespace {

constexpr int kMaxDepth = 256;

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  JsonValue document() {
    JsonValue value = read_value(0);
    skip_space();
    if (pos_ != text_.size()) fail("a character after the value", "the end of the text");
    return value;
  }

 private:
  [[noreturn]] void fail(std::string_view problem, std::string_view expected) const {
    throw DataError(fmt::format("{}: offset {}: {}; expected {}", source_, pos_, problem, expected));
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  char peek() {
    skip_space();
    if (pos_ >= text_.size()) fail("the text ends early", "a value");
    return text_[pos_];
  }

  void expect(char c) {
    if (peek() != c) fail(fmt::format("'{}'", text_[pos_]), fmt::format("'{}'", c));
    ++pos_;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  JsonValue read_value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep", fmt::format("at most {} levels", kMaxDepth));
    const char c = peek();
    if (c == '{') return read_object(depth);
    if (c == '[') return read_array(depth);
    if (c == '"') return JsonValue(read_string());
    if (literal("true")) return JsonValue(true);
    if (literal("false")) return JsonValue(false);
    if (literal("null")) return JsonValue();
    return read_number();
  }

  JsonValue read_object(int depth) {
    expect('{');
    JsonValue::Object object;
    if (peek() == '}') {
      ++pos_;
      return JsonValue(std::move(object));
    }
    while (true) {
      if (peek() != '"') fail("a member without a quoted name", "'\"'");
      std::string key = read_string();
      expect(':');
      object.emplace_back(std::move(key), read_value(depth + 1));
      if (peek() == '}') break;
      expect(',');
    }
    ++pos_;
    return JsonValue(std::move(object));
  }

  JsonValue read_array(int depth) {
    expect('[');
    JsonValue::Array array;
    if (peek() == ']') {
      ++pos_;
      return JsonValue(std::move(array));
    }
    while (true) {
      array.push_back(read_value(depth + 1));
      if (peek() == ']') break;
      expect(',');
    }
    ++pos_;
    return JsonValue(std::move(array));
  }

  unsigned hex4() {
    unsigned code = 0;
    const auto digits = text_.substr(pos_, 4);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code, 16);
    if (digits.size() != 4 || error != std::errc() || end != digits.data() + 4)
      fail("a bad \\u escape", "4 hex digits");
    pos_ += 4;
    return code;
  }

  void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  // \uD83D\uDE00 (a UTF-16 surrogate pair) is one code point.
  unsigned read_unicode_escape() {
    unsigned code = hex4();
    if (code >= 0xD800 && code < 0xDC00) {
      if (!literal("\\u")) fail("a lone high surrogate", "a \\u low surrogate after it");
      const unsigned low = hex4();
      if (low < 0xDC00 || low >= 0xE000) fail("a bad low surrogate", "\\uDC00..\\uDFFF");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    return code;
  }

  void read_escape(std::string& out) {
    if (pos_ >= text_.size()) fail("the text ends inside a string", "'\"'");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u':
        append_utf8(out, read_unicode_escape());
        break;
      default:
        --pos_;
        fail(fmt::format("the escape '\\{}'", c), "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
    }
  }

  std::string read_string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("the text ends inside a string", "'\"'");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        read_escape(out);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        fail("a raw control character in a string", "it escaped");
      } else {
        out += c;
      }
    }
  }

  JsonValue read_number() {
    const std::size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    bool integral = true;
    while (pos_ < text_.size() && std::string_view("0123456789.eE+-").find(text_[pos_]) != std::string_view::npos) {
      if (std::string_view(".eE").find(text_[pos_]) != std::string_view::npos) integral = false;
      ++pos_;
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    pos_ = start;
    if (token.empty() || token == "-") fail(fmt::format("'{}'", text_.substr(start, 1)), "a JSON value");
    if (integral) {
      int64_t i = 0;
      if (auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
          ec == std::errc() && end == token.data() + token.size()) {
        pos_ += token.size();
        return JsonValue(i);
      }
      uint64_t u = 0;
      if (auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), u);
          ec == std::errc() && end == token.data() + token.size()) {
        pos_ += token.size();
        return JsonValue(u);
      }
    }
    double d = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
    if (ec != std::errc() || end != token.data() + token.size()) fail(fmt::format("'{}'", token), "a number");
    pos_ += token.size();
    return JsonValue(d);
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
};

}  // namespace

JsonValue parse_json(std::string_view text, std::string_view source) { return Reader(text, source).document(); }

const JsonValue* json_find(const JsonValue& value, std::string_view dotted_path) {
  const JsonValue* current = &value;
  while (!dotted_path.empty()) {
    if (!current->is_object()) return nullptr;
    const std::size_t dot = dotted_path.find('.');
    const std::string_view key = dotted_path.substr(0, dot);
    const JsonValue* next = nullptr;
    for (const auto& [name, member] : current->as_object()) {
      if (name == key) next = &member;
    }
    if (next == nullptr) return nullptr;
    current = next;
    dotted_path = dot == std::string_view::npos ? std::string_view() : dotted_path.substr(dot + 1);
  }
  return current;
}

std::optional<double> as_number(const JsonValue& value) {
  const auto& v = value.variant();
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<uint64_t>(&v)) return static_cast<double>(*u);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (*s == "inf") return std::numeric_limits<double>::infinity();
    if (*s == "-inf") return -std::numeric_limits<double>::infinity();
    if (*s == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  return std::nullopt;
}

std::optional<std::string> json_text(const JsonValue* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return value->as_string();
  return to_canonical_json(*value);
}

}  // namespace mose::study

// A tiny JSON value and its canonical text: object keys sorted (byte order), no
// whitespace, doubles in their shortest round-trip form. Canonical text is what study
// hashes to identify a trial, so the same settings must always give the same bytes,
// whatever order they were written or built in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mose::study {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  // Insertion order is kept here; the canonical writer sorts.
  using Object = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() : value_(nullptr) {}
  JsonValue(std::nullptr_t) : value_(nullptr) {}
  JsonValue(bool v) : value_(v) {}
  JsonValue(int v) : value_(int64_t{v}) {}
  JsonValue(int64_t v) : value_(v) {}
  JsonValue(uint64_t v) : value_(v) {}
  JsonValue(double v) : value_(v) {}
  JsonValue(const char* v) : value_(std::string(v)) {}
  JsonValue(std::string v) : value_(std::move(v)) {}
  JsonValue(Array v) : value_(std::move(v)) {}
  JsonValue(Object v) : value_(std::move(v)) {}

  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_object() const { return std::holds_alternative<Object>(value_); }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  const Object& as_object() const { return std::get<Object>(value_); }
  Object& as_object() { return std::get<Object>(value_); }

  using Variant = std::variant<std::nullptr_t, bool, int64_t, uint64_t, double, std::string, Array, Object>;
  const Variant& variant() const { return value_; }

 private:
  Variant value_;
};

// Canonical text. Non-finite doubles, which JSON cannot express, are written as the
// strings "inf", "-inf" and "nan". Throws std::logic_error on an object with a repeated
// key (a programming error: canonical text would depend on which one came first).
std::string to_canonical_json(const JsonValue& value);

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace mose::study

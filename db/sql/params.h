// Statement parameters for the SQL backends (private to db/). The shared
// statements number their parameters $1, $2, ...: PostgreSQL's own syntax, and
// in SQLite a named parameter ("$1") that its connection binds by name.
//
// Each parameter carries its type even when it is NULL, because PostgreSQL
// infers a parameter's type from it: "$1 IS NULL OR study_id = $1" needs $1 to
// be known as an integer when no value comes. So a NULL is always an empty
// std::optional of the column's type, never a bare std::nullopt.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mose::db::sql {

enum class ParamType { kInteger, kReal, kText };

struct Param {
  ParamType type = ParamType::kText;
  std::variant<std::monostate, std::int64_t, double, std::string> value{};  // monostate: NULL
};

// Parameters in order: the first is $1.
class Params {
 public:
  Params() = default;
  template <typename... Args>
  static Params of(const Args&... args) {
    Params params;
    (params.add(args), ...);
    return params;
  }

  Params& add(double value);
  Params& add(std::string_view value);
  Params& add(const std::string& value) { return add(std::string_view(value)); }
  Params& add(const char* value) { return add(std::string_view(value)); }
  template <std::integral T>
  Params& add(T value) {
    return add_int64(static_cast<std::int64_t>(value));
  }
  template <typename T>
  Params& add(const std::optional<T>& value) {
    if (value) return add(*value);
    return add_null(type_of<T>());
  }

  const std::vector<Param>& values() const { return values_; }
  std::size_t size() const { return values_.size(); }

 private:
  template <typename T>
  static constexpr ParamType type_of() {
    if constexpr (std::integral<T>) {
      return ParamType::kInteger;
    } else if constexpr (std::floating_point<T>) {
      return ParamType::kReal;
    } else {
      static_assert(std::convertible_to<T, std::string_view>, "a parameter is an integer, a real or text");
      return ParamType::kText;
    }
  }
  Params& add_int64(std::int64_t value);
  Params& add_null(ParamType type);
  std::vector<Param> values_;
};

}  // namespace mose::db::sql

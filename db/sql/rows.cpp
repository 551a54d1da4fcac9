#include "db/sql/rows.h"

#include <fmt/format.h>

#include <limits>

#include "base/errors.h"

namespace mose::db::sql {
namespace {

const char* type_name(const Cell& cell) {
  constexpr const char* kNames[] = {"NULL", "an integer", "a real", "text"};
  return kNames[cell.index()];
}

[[noreturn]] void wrong_type(int column, const Cell& cell, const char* expected) {
  throw DbError(fmt::format("result column {} holds {} where {} was expected", column, type_name(cell), expected));
}

}  // namespace

const Cell& Rows::cell(int row, int column) const {
  if (row < 0 || row >= rows() || column < 0 || column >= columns_) {
    throw DbError(fmt::format("no cell ({}, {}) in a result of {} rows and {} columns", row, column, rows(), columns_));
  }
  return cells_[static_cast<std::size_t>(row * columns_ + column)];
}

bool Rows::is_null(int row, int column) const { return std::holds_alternative<std::monostate>(cell(row, column)); }

std::int64_t Rows::int64(int row, int column) const { return optional_int64(row, column).value_or(0); }

double Rows::real(int row, int column) const {
  return optional_real(row, column).value_or(std::numeric_limits<double>::quiet_NaN());
}

std::string Rows::text(int row, int column) const {
  const Cell& value = cell(row, column);
  if (std::holds_alternative<std::monostate>(value)) return {};
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  wrong_type(column, value, "text");
}

std::optional<std::int64_t> Rows::optional_int64(int row, int column) const {
  const Cell& value = cell(row, column);
  if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  wrong_type(column, value, "an integer");
}

std::optional<double> Rows::optional_real(int row, int column) const {
  const Cell& value = cell(row, column);
  if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  wrong_type(column, value, "a real");
}

}  // namespace mose::db::sql

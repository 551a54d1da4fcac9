// The rows one statement returned, as both SQL backends hand them to the
// shared storage code (private to db/). Each dialect's connection fills a Rows
// from its own result (SQLite's column types, PostgreSQL's type OIDs); readers
// then ask for a cell by row and column, both 0-based.
//
// NULL reads as 0, "" or nullopt, and as NaN from real(): SQLite keeps a NaN as
// NULL, so a stored NaN comes back as NaN from both backends. Asking for a type
// the cell does not hold is a programming error, reported as a DbError that
// names the column and both types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mose::db::sql {

using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;  // monostate: NULL

class Rows {
 public:
  explicit Rows(int columns = 0) : columns_(columns) {}

  // Append the next cell, row by row: a row is complete after columns() cells.
  void add_null() { cells_.emplace_back(); }
  void add(std::int64_t value) { cells_.emplace_back(std::in_place_type<std::int64_t>, value); }
  void add(double value) { cells_.emplace_back(std::in_place_type<double>, value); }
  void add(std::string value) { cells_.emplace_back(std::in_place_type<std::string>, std::move(value)); }

  int columns() const { return columns_; }
  int rows() const { return columns_ == 0 ? 0 : static_cast<int>(cells_.size()) / columns_; }
  bool empty() const { return rows() == 0; }

  bool is_null(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  double real(int row, int column) const;  // an integer cell reads as its value
  std::string text(int row, int column) const;
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  std::optional<double> optional_real(int row, int column) const;

 private:
  const Cell& cell(int row, int column) const;
  int columns_;
  std::vector<Cell> cells_;
};

}  // namespace mose::db::sql

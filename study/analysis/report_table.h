// The table model shared by the terminal (terminal_table.h) and LaTeX
// (latex_table.h) formatters: columns with a header and a number format, rows
// of text or number cells. Formatters decide escaping and layout; the model
// only decides what the numbers look like. Also builds the frontier table the
// CLI prints and the paper quotes.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "study/analysis/pareto.h"

namespace mose::study::analysis {

enum class Notation {
  kFixed,       // {:.Pf}: 2.9134 at P = 4
  kScientific,  // {:.Pe}: 1.235e+09 at P = 3 (LaTeX: 1.235 x 10^{9})
};

struct NumberFormat {
  Notation notation = Notation::kFixed;
  int precision = 3;  // digits after the decimal point, 0..30
};

struct TableColumn {
  std::string header;  // plain text; formatters escape it
  NumberFormat number{};
};

using TableCell = std::variant<std::string, double>;

struct Table {
  std::vector<TableColumn> columns;
  std::vector<std::vector<TableCell>> rows;  // each rows[i].size() == columns.size()
};

// Throws DataError naming the row or column when a row has the wrong number of
// cells or a precision is outside 0..30.
void check_table(const Table& table);

// True when every cell of column `index` is a number (and there is at least
// one row): such columns are right-aligned, the others left-aligned.
bool is_numeric_column(const Table& table, std::size_t index);

// Plain-text rendering of a number: fmt "{:.Pf}" or "{:.Pe}"; "nan", "inf",
// "-inf". A negative number that rounds to zero loses its sign ("0.000").
std::string format_number(double value, NumberFormat format);

struct FrontierTableOptions {
  std::string x_header = "FLOPs/token";
  std::string y_header = "val loss";
  NumberFormat x_format{Notation::kScientific, 3};
  NumberFormat y_format{Notation::kFixed, 4};
  bool include_dominated = false;  // adds the dominated points and a "status" column
};

// Columns: group, trial, x_header, y_header[, status]. Per group (in the given
// order): the frontier points by increasing x, then (if asked) the dominated
// points, whose status is "dominated" (frontier points: "frontier").
Table frontier_table(const std::vector<Frontier>& frontiers, const FrontierTableOptions& options = {});

}  // namespace mose::study::analysis

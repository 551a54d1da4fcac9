// Table model checks, number text, and the frontier table.
#include "study/analysis/report_table.h"

#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"

namespace mose::study::analysis {
namespace {

constexpr int kMaxPrecision = 30;

void append_point(Table& table, const ParetoPoint& p, const char* status, bool with_status) {
  std::vector<TableCell> row{p.group, p.id, p.x, p.y};
  if (with_status) row.emplace_back(std::string(status));
  table.rows.push_back(std::move(row));
}

}  // namespace

void check_table(const Table& table) {
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const int precision = table.columns[c].number.precision;
    if (precision < 0 || precision > kMaxPrecision) {
      throw DataError(fmt::format("table column '{}' has precision {}; expected 0..{}", table.columns[c].header,
                                  precision, kMaxPrecision));
    }
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r].size() != table.columns.size()) {
      throw DataError(fmt::format("table row {} has {} cells but there are {} columns", r, table.rows[r].size(),
                                  table.columns.size()));
    }
  }
}

bool is_numeric_column(const Table& table, std::size_t index) {
  if (table.rows.empty()) return false;
  for (const auto& row : table.rows) {
    if (!std::holds_alternative<double>(row.at(index))) return false;
  }
  return true;
}

std::string format_number(double value, NumberFormat format) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) value = 0.0;  // -0.0 prints as 0
  std::string text = format.notation == Notation::kFixed ? fmt::format("{:.{}f}", value, format.precision)
                                                         : fmt::format("{:.{}e}", value, format.precision);
  // A negative number that rounds to zero prints as "0.000", not "-0.000".
  if (text.front() == '-' && text.find_first_of("123456789") == std::string::npos) text.erase(0, 1);
  return text;
}

Table frontier_table(const std::vector<Frontier>& frontiers, const FrontierTableOptions& options) {
  Table table;
  table.columns = {{"group"}, {"trial"}, {options.x_header, options.x_format}, {options.y_header, options.y_format}};
  if (options.include_dominated) table.columns.push_back({"status"});
  for (const Frontier& f : frontiers) {
    for (const ParetoPoint& p : f.frontier) append_point(table, p, "frontier", options.include_dominated);
    if (!options.include_dominated) continue;
    for (const ParetoPoint& p : f.dominated) append_point(table, p, "dominated", true);
  }
  return table;
}

}  // namespace mose::study::analysis

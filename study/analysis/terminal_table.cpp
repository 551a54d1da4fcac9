// Aligned plain-text tables: render every cell, measure, then pad.
#include "study/analysis/terminal_table.h"

#include <algorithm>
#include <vector>

namespace mose::study::analysis {
namespace {

constexpr std::string_view kGap = "  ";

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

std::string render(const TableCell& cell, NumberFormat format) {
  if (const auto* number = std::get_if<double>(&cell)) return format_number(*number, format);
  return one_line(std::get<std::string>(cell));
}

// Joins padded cells; the last column is not padded on the right.
std::string join_line(const std::vector<std::string>& cells, const std::vector<std::size_t>& widths,
                      const std::vector<bool>& right) {
  std::string line;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (c > 0) line += kGap;
    const std::string padding(widths[c] - display_width(cells[c]), ' ');
    const bool last = c + 1 == cells.size();
    line += right[c] ? padding + cells[c] : (last ? cells[c] : cells[c] + padding);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + '\n';
}

}  // namespace

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string format_terminal_table(const Table& table) {
  check_table(table);
  const std::size_t n = table.columns.size();
  std::vector<std::vector<std::string>> lines;  // header, rule, then rows
  lines.emplace_back();
  for (const TableColumn& column : table.columns) lines.back().push_back(one_line(column.header));
  for (const auto& row : table.rows) {
    lines.emplace_back();
    for (std::size_t c = 0; c < n; ++c) lines.back().push_back(render(row[c], table.columns[c].number));
  }
  std::vector<std::size_t> widths(n, 0);
  std::vector<bool> right(n);
  for (std::size_t c = 0; c < n; ++c) {
    for (const auto& line : lines) widths[c] = std::max(widths[c], display_width(line[c]));
    right[c] = is_numeric_column(table, c);
  }
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.emplace_back(w, '-');
  lines.insert(lines.begin() + 1, rule);
  std::string out;
  for (const auto& line : lines) out += join_line(line, widths, right);
  return out;
}

}  // namespace mose::study::analysis

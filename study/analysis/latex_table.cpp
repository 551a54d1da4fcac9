// LaTeX escaping, number typesetting and the booktabs layout.
#include "study/analysis/latex_table.h"

#include <fmt/format.h>

#include <cmath>

namespace mose::study::analysis {
namespace {

std::string cell_source(const TableCell& cell, NumberFormat format) {
  if (const auto* number = std::get_if<double>(&cell)) return latex_number(*number, format);
  return latex_escape(std::get<std::string>(cell));
}

// "l" / "r" per column, e.g. "llrr".
std::string column_spec(const Table& table) {
  std::string spec;
  for (std::size_t c = 0; c < table.columns.size(); ++c) spec += is_numeric_column(table, c) ? 'r' : 'l';
  return spec;
}

std::string row_source(const std::vector<std::string>& cells) {
  std::string line = "    ";
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (c > 0) line += " & ";
    line += cells[c];
  }
  return line + " \\\\\n";
}

}  // namespace

std::string latex_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      case '$': out += "\\$"; break;
      case '&': out += "\\&"; break;
      case '#': out += "\\#"; break;
      case '%': out += "\\%"; break;
      case '_': out += "\\_"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '|': out += "\\textbar{}"; break;
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      default: out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
    }
  }
  return out;
}

std::string latex_number(double value, NumberFormat format) {
  if (std::isnan(value)) return "--";
  if (std::isinf(value)) return value > 0 ? "$\\infty$" : "$-\\infty$";
  const std::string text = format_number(value, format);
  if (format.notation == Notation::kFixed) return text.front() == '-' ? "$-$" + text.substr(1) : text;
  // "{:.Pe}" gives "m.mmme+XX"; typeset as "m.mmm \times 10^{X}".
  const std::size_t e = text.find('e');
  const int exponent = std::stoi(text.substr(e + 1));
  return fmt::format("${} \\times 10^{{{}}}$", text.substr(0, e), exponent);
}

std::string format_latex_table(const Table& table, const LatexTableOptions& options) {
  check_table(table);
  std::vector<std::string> header;
  for (const TableColumn& column : table.columns) header.push_back(latex_escape(column.header));
  std::string body = fmt::format("  \\begin{{tabular}}{{{}}}\n    \\toprule\n", column_spec(table));
  body += row_source(header);
  body += "    \\midrule\n";
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (std::size_t c = 0; c < row.size(); ++c) cells.push_back(cell_source(row[c], table.columns[c].number));
    body += row_source(cells);
  }
  body += "    \\bottomrule\n  \\end{tabular}\n";
  if (!options.floating) return body;
  std::string out = fmt::format("\\begin{{table}}[{}]\n  \\centering\n", options.placement);
  if (!options.caption.empty()) out += fmt::format("  \\caption{{{}}}\n", options.caption);
  if (!options.label.empty()) out += fmt::format("  \\label{{{}}}\n", options.label);
  return out + body + "\\end{table}\n";
}

}  // namespace mose::study::analysis

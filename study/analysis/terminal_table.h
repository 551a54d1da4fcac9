// Plain-text tables for the terminal (the CLI prints frontiers with them):
//
//   group      trial  FLOPs/token  val loss
//   ---------  -----  -----------  --------
//   mose|topk  t17      1.235e+09    2.9134
//
// Columns are separated by two spaces; numeric columns (report_table.h) are
// right-aligned, the others left-aligned; widths count UTF-8 code points, so
// non-ASCII group names line up on ordinary terminals (wide CJK glyphs do
// not). Control characters in text (newline, tab, ...) print as one space so
// a row stays on one line. No trailing spaces; every line ends in '\n'.
#pragma once

#include <string>
#include <string_view>

#include "study/analysis/report_table.h"

namespace mose::study::analysis {

// The table as text; check_table's errors for a malformed table.
std::string format_terminal_table(const Table& table);

// Number of UTF-8 code points in `text` (bytes that are not 0b10xxxxxx).
std::size_t display_width(std::string_view text);

}  // namespace mose::study::analysis

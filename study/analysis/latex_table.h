// booktabs tables for papers:
//
//   \begin{table}[t]
//     \centering
//     \caption{...}
//     \label{...}
//     \begin{tabular}{llrr}
//       \toprule
//       group & trial & FLOPs/token & val loss \\ (each row ends in a double backslash)
//       \midrule
//       mose\textbar{}topk & t17 & $1.235 \times 10^{9}$ & 2.9134 \\ (and so on)
//       \bottomrule
//     \end{tabular}
//   \end{table}
//
// Headers and text cells are plain text and escaped (latex_escape), so group
// names such as "mose|topk_ttt" print as written. The caption and label are
// LaTeX source, written as given. Numbers follow each column's NumberFormat:
// fixed "2.9134"; scientific "$1.235 \times 10^{9}$"; a negative number's minus
// is typeset in math ("$-$0.500"); NaN prints "--", infinities "$\infty$".
// Numeric columns are right-aligned ('r'), the others left-aligned ('l').
// Needs \usepackage{booktabs}.
#pragma once

#include <string>
#include <string_view>

#include "study/analysis/report_table.h"

namespace mose::study::analysis {

struct LatexTableOptions {
  std::string caption;   // LaTeX source; omitted when empty
  std::string label;     // e.g. "tab:frontier"; omitted when empty
  bool floating = true;  // wrap the tabular in a table environment
  std::string placement = "t";
};

// Escapes the characters LaTeX treats specially in text: \ { } $ & # % _ ~ ^,
// plus | < > (which the default OT1 font encoding prints as other glyphs).
// Control characters (newlines, tabs) become spaces.
std::string latex_escape(std::string_view text);

// A number in LaTeX text per `format` (see above).
std::string latex_number(double value, NumberFormat format);

// The table as LaTeX source; check_table's errors for a malformed table.
std::string format_latex_table(const Table& table, const LatexTableOptions& options = {});

}  // namespace mose::study::analysis

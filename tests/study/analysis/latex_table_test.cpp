#include "study/analysis/latex_table.h"

#include <catch2/catch.hpp>

#include <limits>

#include "base/errors.h"

namespace mose::study::analysis {

TEST_CASE("LaTeX escaping of text", "[study][latex]") {
  CHECK(latex_escape("mose|topk_ttt") == "mose\\textbar{}topk\\_ttt");
  CHECK(latex_escape("100% & $5 #1 {a} ~x^2 \\ <b>") ==
        "100\\% \\& \\$5 \\#1 \\{a\\} \\textasciitilde{}x\\textasciicircum{}2 \\textbackslash{} "
        "\\textless{}b\\textgreater{}");
  CHECK(latex_escape("two\nlines") == "two lines");
  CHECK(latex_escape("ünï") == "ünï");
}

TEST_CASE("LaTeX numbers", "[study][latex]") {
  CHECK(latex_number(2.91344, {Notation::kFixed, 3}) == "2.913");
  CHECK(latex_number(-0.5, {Notation::kFixed, 3}) == "$-$0.500");
  CHECK(latex_number(1.2345e9, {Notation::kScientific, 2}) == "$1.23 \\times 10^{9}$");
  CHECK(latex_number(-4.5e-7, {Notation::kScientific, 1}) == "$-4.5 \\times 10^{-7}$");
  CHECK(latex_number(std::numeric_limits<double>::quiet_NaN(), {}) == "--");
  CHECK(latex_number(std::numeric_limits<double>::infinity(), {}) == "$\\infty$");
  CHECK(latex_number(-std::numeric_limits<double>::infinity(), {}) == "$-\\infty$");
}

TEST_CASE("LaTeX tables use booktabs rules", "[study][latex]") {
  Table table;
  table.columns = {{"group"}, {"FLOPs/token", {Notation::kScientific, 2}}, {"val_loss", {Notation::kFixed, 3}}};
  table.rows = {{std::string("mose|topk"), 1.2345e9, 2.91344}, {std::string("dense & co"), 2e9, 3.0}};
  LatexTableOptions options;
  options.caption = "Frontier of \\emph{mose}.";
  options.label = "tab:frontier";
  CHECK(format_latex_table(table, options) ==
        "\\begin{table}[t]\n"
        "  \\centering\n"
        "  \\caption{Frontier of \\emph{mose}.}\n"
        "  \\label{tab:frontier}\n"
        "  \\begin{tabular}{lrr}\n"
        "    \\toprule\n"
        "    group & FLOPs/token & val\\_loss \\\\\n"
        "    \\midrule\n"
        "    mose\\textbar{}topk & $1.23 \\times 10^{9}$ & 2.913 \\\\\n"
        "    dense \\& co & $2.00 \\times 10^{9}$ & 3.000 \\\\\n"
        "    \\bottomrule\n"
        "  \\end{tabular}\n"
        "\\end{table}\n");
  LatexTableOptions bare_options;
  bare_options.floating = false;
  const std::string bare = format_latex_table(table, bare_options);
  CHECK(bare.rfind("  \\begin{tabular}{lrr}\n", 0) == 0);
  CHECK(bare.find("\\begin{table}") == std::string::npos);
  CHECK(bare.find("\\caption") == std::string::npos);
  table.rows.push_back({1.0});
  CHECK_THROWS_AS(format_latex_table(table), DataError);
}

}  // namespace mose::study::analysis

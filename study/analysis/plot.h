// Publication plots of frontiers. mose writes the data as CSV and an editable,
// self-contained matplotlib script beside it (template: study/analysis/plot_frontier.py),
// then runs the script to produce PDF, SVG and PNG:
//
//   <directory>/<stem>.csv         group, id, <x_column>, <y_column>, on_frontier
//   <directory>/plot_<stem>.py     settings block at the top; `python3 plot_<stem>.py`
//   <directory>/<stem>.{pdf,svg,png}
//
// The figure: log-scaled x axis, one series per group (colour + marker),
// frontier drawn as a line through its points over the lighter dominated
// points, legend, labelled axes, title; PNG exactly width_px x height_px.
// Text settings must be UTF-8; the title and axis labels may use matplotlib
// mathtext ($...$), group names print literally.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "study/analysis/csv.h"
#include "study/analysis/metric_names.h"
#include "study/analysis/pareto.h"

namespace mose::study::analysis {

struct PlotSpec {
  std::filesystem::path directory;  // created when missing
  std::string stem = "frontier";    // a plain file name: letters, digits, '.', '_', '-'
  std::string title = "Pareto frontier";
  std::string x_label = "FLOPs per token (forward)";
  std::string y_label = "validation loss (nats/token)";
  std::string x_column = kFlopsPerToken;  // CSV column names (not group, id, on_frontier)
  std::string y_column = kValLoss;
  int width_px = 1600;  // PNG size; 16..20000
  int height_px = 1000;
  int dpi = 200;  // 10..2000
  // Interpreter. Empty: $MOSE_PYTHON when set, else the first of "python3" (on
  // PATH) and "/usr/bin/python3" that can import matplotlib.
  std::string python;
};

struct PlotFiles {
  std::filesystem::path csv, script, pdf, svg, png;
};

// Where `spec` puts its files (nothing is written).
PlotFiles plot_files(const PlotSpec& spec);

// The plot data: one row per point, each group's frontier points (by x) then
// its dominated points; numbers via csv_number, on_frontier "true"/"false".
CsvTable frontier_csv(const std::vector<Frontier>& frontiers, const std::string& x_column, const std::string& y_column);

// The script text for `spec` (settings filled in as Python literals).
std::string plot_script(const PlotSpec& spec, Direction y_direction);

// Writes the CSV and the script atomically; runs nothing. Throws ConfigError
// naming the PlotSpec field at fault, DataError when there is no point to plot
// or the frontiers' y directions differ, IoError when a file cannot be written.
PlotFiles write_plot_sources(const std::vector<Frontier>& frontiers, const PlotSpec& spec);

// Runs files.script with `python` (resolved as PlotSpec::python) and checks
// that the PDF, SVG and PNG exist. Throws IoError when the interpreter cannot
// be started, Error (with the script path, exit status and python's output)
// when no interpreter imports matplotlib or the script fails.
void render_plot(const PlotFiles& files, const std::string& python = "");

// write_plot_sources then render_plot.
PlotFiles plot_frontiers(const std::vector<Frontier>& frontiers, const PlotSpec& spec);

}  // namespace mose::study::analysis

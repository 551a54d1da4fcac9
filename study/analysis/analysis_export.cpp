#include "study/analysis/analysis_export.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "study/analysis/latex_table.h"
#include "study/analysis/metric_names.h"
#include "study/analysis/plot.h"
#include "study/analysis/report_table.h"

namespace mose::study::analysis {
namespace {

std::string optional_number(const std::optional<double>& value) { return value ? csv_number(*value) : ""; }

std::string axis_value(const TrialRow& row, const std::string& axis) {
  for (const auto& [name, value] : row.axes) {
    if (name == axis) return value;
  }
  return "";
}

// Zero-shot task metrics ("task/<name>/acc", ...) any trial recorded, sorted: the task
// columns of trials.csv, which depend on the recipe's eval.tasks.
std::vector<std::string> task_metric_columns(const StudyData& data) {
  std::set<std::string, std::less<>> names;
  for (const TrialRow& row : data.trials) {
    for (const auto& [name, value] : row.metrics) {
      if (name.starts_with(kTaskMetricPrefix)) names.insert(name);
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> trial_cells(const TrialRow& row, const std::vector<std::string>& axis_names,
                                     const std::vector<std::string>& task_columns) {
  const db::TrialRecord& t = row.trial;
  std::vector<std::string> cells{std::to_string(t.id),
                                 std::string(db::to_string(t.kind)),
                                 std::string(db::to_string(t.status)),
                                 row.group,
                                 row.label,
                                 row.training_label,
                                 row.mode,
                                 row.routing,
                                 row.policy,
                                 optional_number(row.width),
                                 optional_number(row.budget),
                                 t.parent_id ? std::to_string(*t.parent_id) : "",
                                 std::to_string(t.attempts),
                                 t.config_hash};
  for (const std::string& metric : trial_metric_columns()) cells.push_back(optional_number(row.metric(metric)));
  for (const std::string& metric : task_columns) cells.push_back(optional_number(row.metric(metric)));
  cells.push_back(optional_number(t.started));
  cells.push_back(optional_number(t.finished));
  cells.push_back(t.worker);
  cells.push_back(t.error);
  for (const std::string& axis : axis_names) cells.push_back(axis_value(row, axis));
  return cells;
}

bool wants(const ExportOptions& options, std::string_view format) {
  return std::find(options.formats.begin(), options.formats.end(), format) != options.formats.end();
}

std::filesystem::path write_latex(const std::vector<Frontier>& frontiers, const ExportOptions& options) {
  FrontierTableOptions table_options;
  table_options.x_header = options.spec.x_metric;
  table_options.y_header = options.spec.y_metric;
  LatexTableOptions latex;
  latex.caption = "Pareto frontier of " + latex_escape(options.spec.y_metric) + " against " +
                  latex_escape(options.spec.x_metric) + ".";
  latex.label = "tab:frontier";
  const std::filesystem::path path = options.directory / "frontier.tex";
  write_file_atomically(path, format_latex_table(frontier_table(frontiers, table_options), latex));
  return path;
}

std::vector<std::filesystem::path> write_plots(const std::vector<Frontier>& frontiers, const ExportOptions& options) {
  PlotSpec plot;
  plot.directory = options.directory;
  plot.x_column = options.spec.x_metric;
  plot.y_column = options.spec.y_metric;
  if (options.spec.x_metric != kFlopsPerToken) plot.x_label = options.spec.x_metric;
  if (options.spec.y_metric != kValLoss) plot.y_label = options.spec.y_metric;
  const PlotFiles files = plot_frontiers(frontiers, plot);
  return {files.csv, files.script, files.pdf, files.svg, files.png};
}

}  // namespace

const std::vector<std::string>& trial_metric_columns() {
  static const std::vector<std::string> columns{
      kFlopsPerToken,  kExpertFlopsPerToken, kTrainFlopsPerToken, kExpertBudget,    kBudgetError,
      kValLoss,        kPerplexity,          kTrainLoss,          kSteps,           kTokens,
      kParameters,     kExpertParameters,    kTrainSeconds,       kTrainTokensPerS, kEvalSeconds,
      kEvalTokensPerS, kDroppedFraction,     kMeanWidth};
  return columns;
}

std::vector<std::string> parse_export_formats(const std::string& list) {
  std::vector<std::string> formats;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string format = list.substr(start, comma - start);
    if (std::find(std::begin(kExportFormats), std::end(kExportFormats), format) == std::end(kExportFormats)) {
      throw UsageError(fmt::format("--format '{}': unknown format '{}'; expected a comma-separated list of {}", list,
                                   format, fmt::join(kExportFormats, ", ")));
    }
    if (std::find(formats.begin(), formats.end(), format) == formats.end()) formats.push_back(format);
    start = comma + 1;
  }
  return formats;
}

CsvTable trials_csv(const StudyData& data) {
  CsvTable table;
  table.columns = {"trial_id", "kind",   "status", "group",  "label",     "training_label", "mode",
                   "routing",  "policy", "width",  "budget", "parent_id", "attempts",       "config_hash"};
  for (const std::string& metric : trial_metric_columns()) table.columns.push_back(metric);
  const std::vector<std::string> task_columns = task_metric_columns(data);
  for (const std::string& metric : task_columns) table.columns.push_back(metric);
  for (const char* column : {"started", "finished", "worker", "error"}) table.columns.emplace_back(column);
  for (const std::string& axis : data.axis_names) table.columns.push_back("axis:" + axis);
  for (const TrialRow& row : data.trials) table.rows.push_back(trial_cells(row, data.axis_names, task_columns));
  return table;
}

std::vector<std::filesystem::path> export_study(const StudyData& data, const ExportOptions& options) {
  std::filesystem::create_directories(options.directory);
  std::vector<std::filesystem::path> written;
  const std::vector<Frontier> frontiers = study_frontiers(data, options.spec);
  const bool plots = wants(options, "pdf") || wants(options, "png") || wants(options, "svg");
  if (wants(options, "csv")) {
    written.push_back(options.directory / "trials.csv");
    write_csv(written.back(), trials_csv(data));
    if (!plots && !frontiers.empty()) {
      written.push_back(options.directory / "frontier.csv");
      write_csv(written.back(), frontier_csv(frontiers, options.spec.x_metric, options.spec.y_metric));
    }
  }
  if ((plots || wants(options, "tex")) && frontiers.empty()) {
    throw DataError(fmt::format("study '{}': no done evaluation trial has {} and {}; nothing to plot or tabulate",
                                data.study.name, options.spec.x_metric, options.spec.y_metric));
  }
  if (plots) {
    for (const auto& path : write_plots(frontiers, options)) written.push_back(path);
  }
  if (wants(options, "tex")) written.push_back(write_latex(frontiers, options));
  return written;
}

}  // namespace mose::study::analysis

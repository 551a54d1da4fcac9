// Writes a study's results for papers and other tools, into one folder:
//   csv  trials.csv    one row per trial (columns below), frontier.csv (plot.h layout)
//   pdf, png, svg      frontier.{pdf,png,svg} with frontier.csv and plot_frontier.py
//                      (any of the three renders all three: one matplotlib run)
//   tex  frontier.tex  the frontier table, booktabs (latex_table.h)
//
// trials.csv columns are stable, in this order: trial_id, kind, status, group, label,
// training_label, mode, routing, policy, width, parent_id, attempts, config_hash, then
// the metrics of kTrialMetricColumns, then started, finished, worker, error, then one
// "axis:<name>" column per recipe axis. Missing values are empty cells; numbers are
// csv_number text (they read back exactly).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "study/analysis/analysis.h"
#include "study/analysis/analysis_frontiers.h"
#include "study/analysis/csv.h"

namespace mose::study::analysis {

inline constexpr std::string_view kExportFormats[] = {"csv", "pdf", "png", "svg", "tex"};

// The fixed metric columns of trials.csv, in order; the zero-shot task metrics
// (task/<name>/...) any trial recorded follow them, sorted by name.
const std::vector<std::string>& trial_metric_columns();

// "csv,pdf" -> {"csv", "pdf"}; throws UsageError naming an unknown format and the known ones.
std::vector<std::string> parse_export_formats(const std::string& list);

CsvTable trials_csv(const StudyData& data);

struct ExportOptions {
  std::filesystem::path directory{};
  std::vector<std::string> formats{"csv"};
  FrontierSpec spec{};
};

// Writes the files `options` asks for and returns their paths. Throws IoError when a
// file cannot be written, Error when plotting fails (no matplotlib, script error), and
// DataError when a plot or table is asked for but no evaluation trial is done.
std::vector<std::filesystem::path> export_study(const StudyData& data, const ExportOptions& options);

}  // namespace mose::study::analysis

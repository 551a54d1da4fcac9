// Frontiers of a study and the figures quoted from them: per group, the points, the
// frontier and its hypervolume; between a multi-width (MoSE) group and the
// standard-MoE group with the same routing and policy, the FLOPs saved at the
// baseline's best quality and the area between their frontiers.
//
// Points are the done evaluation trials with a finite, positive x metric (cost, log
// scale) and a finite y metric. Hypervolume reference point, shared by all groups so
// their hypervolumes compare: x_ref = 1.1 x the largest x of any point, y_ref = the
// worst y of any point + 0.1 (minimised y: max y + 0.1; maximised: min y - 0.1), in
// (log10 x, y).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "study/analysis/analysis.h"
#include "study/analysis/frontier_metrics.h"
#include "study/analysis/metric_names.h"
#include "study/analysis/pareto.h"

namespace mose::study::analysis {

struct FrontierSpec {
  std::string x_metric = kFlopsPerToken;
  std::string y_metric = kValLoss;
  Direction direction = Direction::kMinimize;
};

// One point per eligible evaluation trial: id = trial id, group = its group.
std::vector<ParetoPoint> study_points(const StudyData& data, const FrontierSpec& spec);

// One frontier per group, by group name.
std::vector<Frontier> study_frontiers(const StudyData& data, const FrontierSpec& spec);

struct GroupFigures {
  std::string group{};
  std::size_t points = 0;
  std::size_t on_frontier = 0;
  double best_y = 0.0;
  double hypervolume = 0.0;
};

struct FrontierComparison {
  std::string candidate{};
  std::string baseline{};
  std::optional<IsoQualitySaving> saving{};  // at the baseline's best quality
  std::optional<FrontierGap> gap{};          // positive: the candidate is better
};

struct FrontierReport {
  std::optional<ReferencePoint> reference{};  // nullopt without points
  std::vector<GroupFigures> groups{};
  std::vector<FrontierComparison> comparisons{};
};

// The reference point above (nullopt when no frontier has a point).
std::optional<ReferencePoint> hypervolume_reference(const std::vector<Frontier>& frontiers);

FrontierComparison compare_frontiers(const Frontier& candidate, const Frontier& baseline);

// Figures for every group, and a comparison for every pair (multi-width group,
// standard-MoE group) whose routing and policy agree, e.g. "mose|topk|uniform" against
// "moe|topk|uniform". A group is standard MoE when every one of its trials was trained
// with widths {1.0}.
FrontierReport frontier_report(const StudyData& data, const std::vector<Frontier>& frontiers);

// The report as text lines for the terminal.
std::string format_frontier_report(const FrontierReport& report, const FrontierSpec& spec);

}  // namespace mose::study::analysis

#include "study/analysis/analysis_frontiers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace mose::study::analysis {
namespace {

// "mose|topk|uniform" -> "topk|uniform": what must agree for two groups to compare.
std::string without_mode(const std::string& group) {
  const std::size_t bar = group.find('|');
  return bar == std::string::npos ? group : group.substr(bar + 1);
}

// Group name -> whether every trial of it was trained as a standard MoE.
std::map<std::string, bool> standard_groups(const StudyData& data) {
  std::map<std::string, bool> standard;
  for (const TrialRow& row : data.trials) {
    if (row.trial.kind != db::TrialKind::kEval) continue;
    const auto [it, fresh] = standard.emplace(row.group, row.standard_moe);
    if (!fresh) it->second = it->second && row.standard_moe;
  }
  return standard;
}

}  // namespace

std::vector<ParetoPoint> study_points(const StudyData& data, const FrontierSpec& spec) {
  std::vector<ParetoPoint> points;
  for (const TrialRow& row : data.trials) {
    if (row.trial.kind != db::TrialKind::kEval || row.trial.status != db::TrialStatus::kDone) continue;
    const std::optional<double> x = row.metric(spec.x_metric);
    const std::optional<double> y = row.metric(spec.y_metric);
    if (!x || !y || !std::isfinite(*x) || *x <= 0 || !std::isfinite(*y)) continue;
    points.push_back({std::to_string(row.trial.id), row.group, *x, *y});
  }
  return points;
}

std::vector<Frontier> study_frontiers(const StudyData& data, const FrontierSpec& spec) {
  const std::vector<ParetoPoint> points = study_points(data, spec);
  return frontiers_by_group(points, spec.direction);
}

std::optional<ReferencePoint> hypervolume_reference(const std::vector<Frontier>& frontiers) {
  std::optional<ReferencePoint> reference;
  for (const Frontier& f : frontiers) {
    const bool minimise = f.y_direction == Direction::kMinimize;
    for (const auto* list : {&f.frontier, &f.dominated}) {
      for (const ParetoPoint& p : *list) {
        const double y = minimise ? p.y + 0.1 : p.y - 0.1;
        if (!reference) reference = ReferencePoint{1.1 * p.x, y};
        reference->x = std::max(reference->x, 1.1 * p.x);
        reference->y = minimise ? std::max(reference->y, y) : std::min(reference->y, y);
      }
    }
  }
  return reference;
}

FrontierComparison compare_frontiers(const Frontier& candidate, const Frontier& baseline) {
  FrontierComparison c{.candidate = candidate.group, .baseline = baseline.group};
  if (candidate.frontier.empty() || baseline.frontier.empty()) return c;
  c.saving = flops_saved_at_iso_quality(candidate, baseline);
  c.gap = area_between(candidate, baseline);
  return c;
}

FrontierReport frontier_report(const StudyData& data, const std::vector<Frontier>& frontiers) {
  FrontierReport report{.reference = hypervolume_reference(frontiers)};
  for (const Frontier& f : frontiers) {
    GroupFigures g{
        .group = f.group, .points = f.frontier.size() + f.dominated.size(), .on_frontier = f.frontier.size()};
    if (!f.frontier.empty()) g.best_y = f.best().y;
    if (report.reference) g.hypervolume = hypervolume(f, *report.reference);
    report.groups.push_back(g);
  }
  const std::map<std::string, bool> standard = standard_groups(data);
  for (const Frontier& candidate : frontiers) {
    if (standard.at(candidate.group)) continue;
    for (const Frontier& baseline : frontiers) {
      if (!standard.at(baseline.group) || without_mode(baseline.group) != without_mode(candidate.group)) continue;
      report.comparisons.push_back(compare_frontiers(candidate, baseline));
    }
  }
  return report;
}

std::string format_frontier_report(const FrontierReport& report, const FrontierSpec& spec) {
  std::string out;
  if (!report.reference) return "no done evaluation trial has both " + spec.x_metric + " and " + spec.y_metric + "\n";
  out += fmt::format("hypervolume in (log10 {}, {}), reference point ({:.4g}, {:.4g}):\n", spec.x_metric, spec.y_metric,
                     report.reference->x, report.reference->y);
  for (const GroupFigures& g : report.groups) {
    out += fmt::format("  {}: {:.4f} ({} of {} points on the frontier, best {} {:.4f})\n", g.group, g.hypervolume,
                       g.on_frontier, g.points, spec.y_metric, g.best_y);
  }
  for (const FrontierComparison& c : report.comparisons) {
    if (c.saving) {
      out += "  " + describe(*c.saving) + "\n";
    } else {
      out += fmt::format("  '{}' does not reach the best {} of '{}' on its measured frontier\n", c.candidate,
                         spec.y_metric, c.baseline);
    }
    if (c.gap) {
      out += fmt::format(
          "  area between '{}' and '{}': {:.4f} ({} x decades of FLOPs; mean advantage {:.4f} over "
          "{:.3g}..{:.3g})\n",
          c.candidate, c.baseline, c.gap->area, spec.y_metric, c.gap->mean_gap(), c.gap->x_lo, c.gap->x_hi);
    }
  }
  return out;
}

}  // namespace mose::study::analysis

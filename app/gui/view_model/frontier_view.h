// The frontier view's model: the evaluation trials that pass the filter, as one series
// per group (study/analysis/analysis.h: mode|routing|policy) with its Pareto frontier
// (study/analysis/pareto.h), the axis ranges, hover hit-testing, tooltip text and the selection.
// Series are recomputed only when the snapshot, the filter or the axes change, so a
// frame with 10,000 trials only hands prepared arrays to the plot.
//
// x is a cost metric on a log axis (flops_per_token by default), optionally as percent
// of the full-width standard MoE: 100 x / x_moe, x_moe = the largest x of any done
// evaluation of a standard-MoE model (trained with widths {1.0}), which is its full
// width. y is any recorded metric, minimised or maximised (accuracies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/gui/view_model/study_snapshot.h"
#include "app/gui/view_model/trial_filter.h"
#include "study/analysis/metric_names.h"
#include "study/analysis/pareto.h"

namespace mose::app::gui::view_model {

struct AxisChoice {
  std::string x_metric = study::analysis::kFlopsPerToken;
  bool x_percent_of_moe = false;
  std::string y_metric = study::analysis::kValLoss;
  study::analysis::Direction y_direction = study::analysis::Direction::kMinimize;
};

// Accuracies are maximised, everything else (losses, perplexity, costs) minimised.
study::analysis::Direction default_direction(const std::string& metric);

struct Series {
  std::string group{};
  int style = 0;  // colour and marker index: the group's rank among all groups of the study
  bool visible = true;
  std::vector<double> xs{}, ys{};  // every point that passes the filter, by trial id
  std::vector<std::int64_t> ids{};
  std::vector<double> frontier_xs{}, frontier_ys{};  // its Pareto frontier, x increasing
};

struct Range {
  double min = 0.0, max = 1.0;
};

// Tick positions for a log axis over `range`: the powers of ten inside it when it spans
// at least a decade, else 1-2-5 steps (or finer) so that 3 to 10 ticks are labelled: a
// log axis that shows only decades leaves a narrow FLOPs range without any label.
std::vector<double> log_axis_ticks(Range range);

// How the plot maps data to pixels, for hit-testing in pixels: x is log10-scaled.
struct PixelScale {
  double px_per_decade_x = 1.0;
  double px_per_unit_y = 1.0;  // sign ignored
};

class FrontierView {
 public:
  // Takes a new snapshot; filter states, hidden groups and the selection carry over.
  void set_snapshot(std::shared_ptr<const StudySnapshot> snapshot);
  const StudySnapshot* snapshot() const { return snapshot_.get(); }

  const AxisChoice& axes() const { return axes_; }
  void set_x_metric(const std::string& metric);
  void set_x_percent_of_moe(bool on);
  // Also resets the direction to default_direction(metric).
  void set_y_metric(const std::string& metric);
  void set_y_direction(study::analysis::Direction direction);
  // Cost metrics offered for x: every metric whose name contains "flops"; y: all.
  std::vector<std::string> x_metric_choices() const;
  // The full-width standard MoE's x (see above); nullopt without such a trial.
  std::optional<double> moe_reference() const { return moe_reference_; }

  TrialFilter& filter() { return filter_; }
  const TrialFilter& filter() const { return filter_; }
  // Call after changing the filter through filter().
  void filter_changed() { dirty_ = true; }

  const std::vector<Series>& series();                             // recomputes when something changed
  std::size_t visible_points();                                    // over visible groups
  bool set_group_visible(const std::string& group, bool visible);  // false: no such group
  // Padded ranges over the visible points: x by 5% of a decade either side (log axis),
  // y by 5% of its span; {1, 10} and {0, 1} when nothing is visible.
  Range x_range();
  Range y_range();

  // The visible point nearest to (x, y) within max_px pixels under `scale`, if any.
  std::optional<std::int64_t> nearest_point(double x, double y, PixelScale scale, double max_px);
  // Where a trial's point is drawn, if it is visible.
  std::optional<std::pair<double, double>> point_of(std::int64_t trial_id);

  std::optional<std::int64_t> hovered() const { return hovered_; }
  void set_hovered(std::optional<std::int64_t> id) { hovered_ = id; }
  // Click: the first selection becomes the primary trial; a click with `compare` keeps
  // the primary and sets the trial it is compared with (config diff).
  void select(std::int64_t trial_id, bool compare = false);
  void clear_selection();
  std::optional<std::int64_t> selected() const { return selected_; }
  std::optional<std::int64_t> compared() const { return compared_; }

  // Tooltip lines for a trial: id and group, labels, the axis values (x also as % of
  // the full-width MoE when known), then the metrics every point shares.
  std::string tooltip(std::int64_t trial_id) const;

 private:
  void rebuild();
  double x_value(double raw) const;

  std::shared_ptr<const StudySnapshot> snapshot_{};
  AxisChoice axes_{};
  TrialFilter filter_{};
  std::set<std::string> hidden_groups_{};
  std::vector<Series> series_{};
  std::optional<double> moe_reference_{};
  bool dirty_ = true;
  std::optional<std::int64_t> hovered_{}, selected_{}, compared_{};
};

}  // namespace mose::app::gui::view_model

#include "frontier_view.h"
#include "study/analysis/metric_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace mose::app::gui::view_model {
namespace {

bool is_eval_done(const study::analysis::TrialRow& row) {
  return row.trial.kind == db::TrialKind::kEval && row.trial.status == db::TrialStatus::kDone;
}

// The metrics shown in every tooltip, when the trial has them, after the axis metrics.
constexpr const char* kTooltipMetrics[] = {study::analysis::kValLoss, study::analysis::kPerplexity,
                                           study::analysis::kFlopsPerToken, study::analysis::kExpertBudget,
                                           study::analysis::kMeanWidth};

}  // namespace

study::analysis::Direction default_direction(const std::string& metric) {
  return study::analysis::higher_is_better(metric) ? study::analysis::Direction::kMaximize
                                                   : study::analysis::Direction::kMinimize;
}

std::vector<double> log_axis_ticks(Range range) {
  std::vector<double> ticks;
  if (!(range.min > 0) || !(range.max > range.min)) return ticks;
  const double lo = std::log10(range.min), hi = std::log10(range.max);
  if (hi - lo >= 1.0) {
    for (double e = std::ceil(lo); e <= hi; e += 1.0) ticks.push_back(std::pow(10.0, e));
    return ticks;
  }
  // Linear steps of 1, 2 or 5 x 10^k: the largest that still gives at least 3 ticks.
  const double span = range.max - range.min;
  double step = std::pow(10.0, std::floor(std::log10(span)));
  for (const double shrink : {1.0, 0.5, 0.4, 0.5}) {  // 1, 0.5, 0.2, 0.1 x the decade
    step *= shrink;
    if (std::floor(range.max / step) - std::ceil(range.min / step) + 1 >= 3) break;
  }
  for (double t = std::ceil(range.min / step) * step; t <= range.max; t += step) ticks.push_back(t);
  return ticks;
}

void FrontierView::set_snapshot(std::shared_ptr<const StudySnapshot> snapshot) {
  snapshot_ = std::move(snapshot);
  filter_.rebuild(*snapshot_);
  moe_reference_.reset();
  for (const study::analysis::TrialRow& row : snapshot_->data.trials) {
    const std::optional<double> x = row.metric(axes_.x_metric);
    if (is_eval_done(row) && row.standard_moe && x && std::isfinite(*x) && *x > 0) {
      moe_reference_ = std::max(moe_reference_.value_or(0.0), *x);
    }
  }
  dirty_ = true;
}

void FrontierView::set_x_metric(const std::string& metric) {
  axes_.x_metric = metric;
  if (snapshot_) set_snapshot(snapshot_);  // the MoE reference depends on the metric
}

void FrontierView::set_x_percent_of_moe(bool on) {
  axes_.x_percent_of_moe = on;
  dirty_ = true;
}

void FrontierView::set_y_metric(const std::string& metric) {
  axes_.y_metric = metric;
  axes_.y_direction = default_direction(metric);
  dirty_ = true;
}

void FrontierView::set_y_direction(study::analysis::Direction direction) {
  axes_.y_direction = direction;
  dirty_ = true;
}

std::vector<std::string> FrontierView::x_metric_choices() const {
  std::vector<std::string> choices;
  if (!snapshot_) return choices;
  for (const std::string& name : snapshot_->metric_names) {
    if (name.find("flops") != std::string::npos) choices.push_back(name);
  }
  return choices;
}

double FrontierView::x_value(double raw) const {
  return axes_.x_percent_of_moe && moe_reference_ ? 100.0 * raw / *moe_reference_ : raw;
}

void FrontierView::rebuild() {
  dirty_ = false;
  series_.clear();
  if (!snapshot_) return;
  std::map<std::string, int> styles;  // every group of the study, so colours do not move when filtering
  for (const study::analysis::TrialRow& row : snapshot_->data.trials) {
    if (row.trial.kind == db::TrialKind::kEval) styles.emplace(row.group, 0);
  }
  int rank = 0;
  for (auto& [group, style] : styles) style = rank++;

  std::vector<study::analysis::ParetoPoint> points;
  std::map<std::string, Series> by_group;
  const std::vector<study::analysis::TrialRow>& trials = snapshot_->data.trials;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const study::analysis::TrialRow& row = trials[i];
    if (!is_eval_done(row) || !filter_.passes(*snapshot_, i)) continue;
    const std::optional<double> x = row.metric(axes_.x_metric), y = row.metric(axes_.y_metric);
    if (!x || !y || !std::isfinite(*x) || *x <= 0 || !std::isfinite(*y)) continue;
    const double xv = x_value(*x);
    points.push_back({.id = std::to_string(row.trial.id), .group = row.group, .x = xv, .y = *y});
    Series& s = by_group[row.group];
    s.xs.push_back(xv);
    s.ys.push_back(*y);
    s.ids.push_back(row.trial.id);
  }
  for (const study::analysis::Frontier& frontier : study::analysis::frontiers_by_group(points, axes_.y_direction)) {
    Series& s = by_group[frontier.group];
    s.group = frontier.group;
    s.style = styles[frontier.group];
    s.visible = !hidden_groups_.contains(frontier.group);
    for (const study::analysis::ParetoPoint& p : frontier.frontier) {
      s.frontier_xs.push_back(p.x);
      s.frontier_ys.push_back(p.y);
    }
    series_.push_back(std::move(s));
  }
}

const std::vector<Series>& FrontierView::series() {
  if (dirty_) rebuild();
  return series_;
}

std::size_t FrontierView::visible_points() {
  std::size_t n = 0;
  for (const Series& s : series()) n += s.visible ? s.xs.size() : 0;
  return n;
}

bool FrontierView::set_group_visible(const std::string& group, bool visible) {
  bool found = false;
  for (Series& s : series_) {
    if (s.group == group) {
      s.visible = visible;
      found = true;
    }
  }
  if (visible) {
    hidden_groups_.erase(group);
  } else {
    hidden_groups_.insert(group);
  }
  return found;
}

Range FrontierView::x_range() {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series()) {
    if (!s.visible) continue;
    for (double x : s.xs) lo = std::min(lo, x), hi = std::max(hi, x);
  }
  if (!(lo <= hi)) return {1.0, 10.0};
  // 5% of a decade either side, and at least a tenth of a decade in all.
  const double pad = std::max(0.05, (0.1 - (std::log10(hi) - std::log10(lo))) / 2);
  return {lo / std::pow(10.0, pad), hi * std::pow(10.0, pad)};
}

Range FrontierView::y_range() {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series()) {
    if (!s.visible) continue;
    for (double y : s.ys) lo = std::min(lo, y), hi = std::max(hi, y);
  }
  if (!(lo <= hi)) return {0.0, 1.0};
  const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(0.05 * std::abs(lo), 0.01);
  return {lo - pad, hi + pad};
}

std::optional<std::int64_t> FrontierView::nearest_point(double x, double y, PixelScale scale, double max_px) {
  if (!(x > 0)) return std::nullopt;
  const double lx = std::log10(x);
  double best = max_px * max_px;
  std::optional<std::int64_t> found;
  for (const Series& s : series()) {
    if (!s.visible) continue;
    for (std::size_t i = 0; i < s.xs.size(); ++i) {
      const double dx = (std::log10(s.xs[i]) - lx) * scale.px_per_decade_x;
      const double dy = (s.ys[i] - y) * scale.px_per_unit_y;
      if (dx * dx + dy * dy <= best) {
        best = dx * dx + dy * dy;
        found = s.ids[i];
      }
    }
  }
  return found;
}

std::optional<std::pair<double, double>> FrontierView::point_of(std::int64_t trial_id) {
  for (const Series& s : series()) {
    if (!s.visible) continue;
    const auto it = std::find(s.ids.begin(), s.ids.end(), trial_id);
    if (it != s.ids.end()) {
      const auto i = static_cast<std::size_t>(it - s.ids.begin());
      return std::pair{s.xs[i], s.ys[i]};
    }
  }
  return std::nullopt;
}

void FrontierView::select(std::int64_t trial_id, bool compare) {
  if (compare && selected_ && *selected_ != trial_id) {
    compared_ = trial_id;
  } else {
    selected_ = trial_id;
    compared_.reset();
  }
}

void FrontierView::clear_selection() {
  selected_.reset();
  compared_.reset();
}

std::string FrontierView::tooltip(std::int64_t trial_id) const {
  const study::analysis::TrialRow* row = snapshot_ ? snapshot_->data.find(trial_id) : nullptr;
  if (row == nullptr) return fmt::format("trial {} is not in this study", trial_id);
  std::string text = fmt::format("#{}  {}\n{}\n", row->trial.id, row->group, row->full_label());
  for (const auto& [axis, value] : row->axes) text += fmt::format("{} = {}\n", axis, value);
  std::vector<std::string> shown{axes_.x_metric, axes_.y_metric};
  if (const std::optional<double> x = row->metric(axes_.x_metric)) {
    text += fmt::format("{}: {:.4g}", axes_.x_metric, *x);
    if (moe_reference_) text += fmt::format(" ({:.1f}% of full-width MoE)", 100.0 * *x / *moe_reference_);
    text += "\n";
  }
  if (const std::optional<double> y = row->metric(axes_.y_metric))
    text += fmt::format("{}: {:.4f}\n", axes_.y_metric, *y);
  for (const char* name : kTooltipMetrics) {
    const std::optional<double> v = row->metric(name);
    if (v && std::find(shown.begin(), shown.end(), name) == shown.end()) text += fmt::format("{}: {:.4g}\n", name, *v);
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace mose::app::gui::view_model

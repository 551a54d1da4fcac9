// The frontier view-model on the fixture study: series per group with their Pareto
// frontiers (the same as study/'s), filters, hidden groups, axis ranges, hit-testing,
// tooltips, % of full-width MoE, and selection.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "app/gui/view_model/frontier_view.h"
#include "gui/gui_test_support.h"
#include "study/analysis/analysis_frontiers.h"
#include "study/analysis/metric_names.h"

namespace mose::app::gui::view_model {
namespace {

using testing::load_fixture;

std::size_t eval_trials(const StudySnapshot& snapshot) {
  return static_cast<std::size_t>(
      std::count_if(snapshot.data.trials.begin(), snapshot.data.trials.end(),
                    [](const study::analysis::TrialRow& r) { return r.trial.kind == db::TrialKind::kEval; }));
}

TEST_CASE("frontier view: one series per group, frontiers as study/ computes them", "[gui][frontier_view]") {
  const auto loaded = load_fixture("series");
  FrontierView view;
  view.set_snapshot(loaded.snapshot);
  const std::vector<Series>& series = view.series();
  // 2 modes x 2 routing regimes (top-k 1, 2) x 2 policies.
  REQUIRE(series.size() == 8);
  REQUIRE(view.visible_points() == eval_trials(*loaded.snapshot));
  std::set<int> styles;
  for (const Series& s : series) styles.insert(s.style);
  REQUIRE(styles.size() == 8);

  const std::vector<study::analysis::Frontier> expected = study::analysis::study_frontiers(loaded.snapshot->data, {});
  REQUIRE(expected.size() == series.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    REQUIRE(series[i].group == expected[i].group);
    REQUIRE(series[i].frontier_xs.size() == expected[i].frontier.size());
    for (std::size_t j = 0; j < expected[i].frontier.size(); ++j) {
      REQUIRE(series[i].frontier_xs[j] == expected[i].frontier[j].x);
      REQUIRE(series[i].frontier_ys[j] == expected[i].frontier[j].y);
    }
  }
}

TEST_CASE("frontier view: filters, search and hidden groups change the points", "[gui][frontier_view]") {
  const auto loaded = load_fixture("filters");
  FrontierView view;
  view.set_snapshot(loaded.snapshot);
  const std::size_t all = view.visible_points();

  REQUIRE(view.filter().set_checked("policy", "ttt", false));
  view.filter_changed();
  REQUIRE(view.series().size() == 4);
  for (const Series& s : view.series()) REQUIRE(s.group.ends_with("|uniform"));
  REQUIRE(view.visible_points() == all * 4 / 7);  // 4 uniform widths of 7 policies per model

  REQUIRE(view.filter().set_checked("policy", "ttt", true));
  view.filter_changed();
  REQUIRE(view.visible_points() == all);

  const std::int64_t some_id = view.series().front().ids.front();
  view.filter().set_search("#" + std::to_string(some_id) + " ");
  view.filter_changed();
  REQUIRE(view.visible_points() == 1);
  view.filter().set_search("");
  view.filter_changed();

  const std::string group = view.series().front().group;
  const std::size_t in_group = view.series().front().xs.size();
  REQUIRE(view.set_group_visible(group, false));
  REQUIRE(view.visible_points() == all - in_group);
  REQUIRE_FALSE(view.point_of(some_id).has_value());
  REQUIRE_FALSE(view.set_group_visible("no|such|group", false));
}

TEST_CASE("frontier view: filter states survive a new snapshot", "[gui][frontier_view]") {
  const auto loaded = load_fixture("survive");
  FrontierView view;
  view.set_snapshot(loaded.snapshot);
  view.filter().set_checked("model.router.top_k", "2", false);
  view.filter_changed();
  const std::size_t filtered = view.visible_points();
  auto again = std::make_shared<StudySnapshot>(*loaded.snapshot);
  again->version = 2;
  view.set_snapshot(again);
  REQUIRE(view.visible_points() == filtered);
}

TEST_CASE("frontier view: ranges, nearest point and tooltip", "[gui][frontier_view]") {
  const auto loaded = load_fixture("hover");
  FrontierView view;
  view.set_snapshot(loaded.snapshot);
  const Range x = view.x_range(), y = view.y_range();
  for (const Series& s : view.series()) {
    for (std::size_t i = 0; i < s.xs.size(); ++i) {
      REQUIRE(s.xs[i] > x.min);
      REQUIRE(s.xs[i] < x.max);
      REQUIRE(s.ys[i] > y.min);
      REQUIRE(s.ys[i] < y.max);
    }
  }
  const Series& s = view.series().back();
  const std::int64_t id = s.ids.back();
  const PixelScale scale{.px_per_decade_x = 800, .px_per_unit_y = -600};
  REQUIRE(view.nearest_point(s.xs.back(), s.ys.back(), scale, 2.0) == id);
  // 10 pixels to the right is outside a 5-pixel radius (10 px = 10/800 decade).
  REQUIRE_FALSE(
      view.nearest_point(s.xs.back() * std::pow(10.0, 10.0 / 800), s.ys.back() + 1.0, scale, 5.0).has_value());

  const std::string tip = view.tooltip(id);
  const study::analysis::TrialRow& row = *loaded.snapshot->data.find(id);
  REQUIRE_THAT(tip, Catch::StartsWith("#" + std::to_string(id) + "  " + row.group));
  REQUIRE_THAT(tip, Catch::Contains(row.full_label()));
  REQUIRE_THAT(tip, Catch::Contains("val_loss: "));
  REQUIRE_THAT(tip, Catch::Contains("% of full-width MoE"));
  REQUIRE_THAT(view.tooltip(99999), Catch::Contains("not in this study"));
}

TEST_CASE("frontier view: x as percent of the full-width standard MoE", "[gui][frontier_view]") {
  const auto loaded = load_fixture("percent");
  FrontierView view;
  view.set_snapshot(loaded.snapshot);
  // The widest standard-MoE evaluation: top-k 2 at width 1 (fixture: 1e6 + 2e6 * k * w).
  REQUIRE(view.moe_reference() == Approx(5.0e6));
  view.set_x_percent_of_moe(true);
  double largest = 0;
  for (const Series& s : view.series()) {
    for (double x : s.xs) largest = std::max(largest, x);
  }
  REQUIRE(largest == Approx(100.0));
}

TEST_CASE("frontier view: y metric choice and direction", "[gui][frontier_view]") {
  const auto loaded = load_fixture("axes");
  FrontierView view;
  view.set_snapshot(loaded.snapshot);
  REQUIRE(view.x_metric_choices() == std::vector<std::string>{"expert_flops_per_token", "flops_per_token"});
  REQUIRE(std::find(loaded.snapshot->metric_names.begin(), loaded.snapshot->metric_names.end(), "perplexity") !=
          loaded.snapshot->metric_names.end());
  view.set_y_metric("perplexity");
  REQUIRE(view.axes().y_direction == study::analysis::Direction::kMinimize);
  for (const Series& s : view.series()) {
    for (std::size_t i = 0; i < s.ys.size(); ++i) {
      REQUIRE(s.ys[i] == Approx(*loaded.snapshot->data.find(s.ids[i])->metric("perplexity")));
    }
  }
  // Task accuracies are recorded as task/<name>/acc and acc_norm (study/analysis/metric_names.h).
  REQUIRE(default_direction(study::analysis::task_metric("hellaswag", "acc")) == study::analysis::Direction::kMaximize);
  REQUIRE(default_direction("task/hellaswag/acc_norm") == study::analysis::Direction::kMaximize);
  REQUIRE(default_direction("task/hellaswag/items") == study::analysis::Direction::kMinimize);
  REQUIRE(default_direction("val_loss") == study::analysis::Direction::kMinimize);
}

TEST_CASE("frontier view: log-axis ticks label narrow and wide ranges", "[gui][frontier_view]") {
  // Under a decade: 1-2-5 steps, at least 3 ticks, all inside the range.
  for (const Range r : {Range{1.4e6, 5.5e6}, Range{1.05e6, 1.3e6}, Range{95.0, 101.0}, Range{20.0, 110.0}}) {
    const std::vector<double> ticks = log_axis_ticks(r);
    INFO(r.min << " " << r.max);
    REQUIRE(ticks.size() >= 3);
    REQUIRE(ticks.size() <= 10);
    for (double t : ticks) {
      REQUIRE(t >= r.min);
      REQUIRE(t <= r.max * (1 + 1e-12));
    }
  }
  REQUIRE(log_axis_ticks({1.4e6, 5.5e6}) == std::vector<double>{2e6, 3e6, 4e6, 5e6});
  // A decade or more: the powers of ten.
  REQUIRE(log_axis_ticks({5e5, 2e7}) == std::vector<double>{1e6, 1e7});
  REQUIRE(log_axis_ticks({0.0, 1.0}).empty());
}

TEST_CASE("frontier view: click selects, a second click with compare sets the other trial", "[gui][frontier_view]") {
  FrontierView view;
  view.select(3);
  view.select(5, true);
  REQUIRE(view.selected() == 3);
  REQUIRE(view.compared() == 5);
  view.select(7);
  REQUIRE(view.selected() == 7);
  REQUIRE_FALSE(view.compared().has_value());
  view.clear_selection();
  REQUIRE_FALSE(view.selected().has_value());
}

}  // namespace
}  // namespace mose::app::gui::view_model

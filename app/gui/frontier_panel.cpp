// The frontier view: FLOPs per token (log axis, or % of the full-width MoE) against any
// recorded metric, one colour and marker per group, each group's Pareto frontier as a
// line over its points. Zoom and pan are ImPlot's; hovering a point shows its tooltip,
// clicking selects it (Ctrl/Shift-click: the trial to compare with), clicking a legend
// entry hides or shows its group. Everything drawn comes ready from the view-model.
#include <imgui.h>
#include <implot.h>

#include <fmt/format.h>

#include <string>

#include "app/gui/panels.h"
#include "app/gui/plot_style.h"

namespace mose::app::gui {
namespace {

namespace vm = view_model;

void metric_combo(const char* label, const std::string& current, const std::vector<std::string>& choices,
                  const std::function<void(const std::string&)>& choose) {
  ImGui::SetNextItemWidth(220);
  if (!ImGui::BeginCombo(label, current.c_str())) return;
  for (const std::string& name : choices) {
    if (ImGui::Selectable(name.c_str(), name == current)) choose(name);
  }
  ImGui::EndCombo();
}

void draw_toolbar(Workspace& workspace, StudyTab& tab) {
  vm::FrontierView& view = tab.view;
  const vm::StudySnapshot* snapshot = view.snapshot();
  metric_combo("x", view.axes().x_metric, view.x_metric_choices(), [&](const std::string& m) {
    view.set_x_metric(m);
    tab.fit_next_frame = true;
  });
  ImGui::SameLine();
  bool percent = view.axes().x_percent_of_moe;
  ImGui::BeginDisabled(!view.moe_reference());
  if (ImGui::Checkbox("% of full-width MoE", &percent)) {
    view.set_x_percent_of_moe(percent);
    tab.fit_next_frame = true;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  metric_combo("y", view.axes().y_metric, snapshot->metric_names, [&](const std::string& m) {
    view.set_y_metric(m);
    tab.fit_next_frame = true;
  });
  ImGui::SameLine();
  bool maximise = view.axes().y_direction == study::analysis::Direction::kMaximize;
  if (ImGui::Checkbox("higher is better", &maximise)) {
    view.set_y_direction(maximise ? study::analysis::Direction::kMaximize : study::analysis::Direction::kMinimize);
  }
  ImGui::SameLine();
  if (ImGui::Button("Fit")) tab.fit_next_frame = true;
  ImGui::SameLine();
  draw_export_controls(workspace, tab);
}

std::string x_label(const vm::FrontierView& view) {
  return view.axes().x_percent_of_moe && view.moe_reference()
             ? fmt::format("{} (% of full-width MoE)", view.axes().x_metric)
             : fmt::format("{} (log)", view.axes().x_metric);
}

// Labelled ticks for the log x axis (view_model::log_axis_ticks), from last frame's
// limits: ticks must be set up before ImPlot knows this frame's.
void setup_x_ticks(vm::Range shown) {
  const std::vector<double> ticks = vm::log_axis_ticks(shown);
  if (ticks.empty()) return;
  std::vector<std::string> text;
  for (double t : ticks) text.push_back(fmt::format("{:.3g}", t));
  std::vector<const char*> labels;
  for (const std::string& t : text) labels.push_back(t.c_str());
  ImPlot::SetupAxisTicks(ImAxis_X1, ticks.data(), static_cast<int>(ticks.size()), labels.data());
}

// The point under the mouse, in pixels, from the plot's own transform.
void hover_and_click(StudyTab& tab) {
  vm::FrontierView& view = tab.view;
  if (!ImPlot::IsPlotHovered()) {
    view.set_hovered(std::nullopt);
    return;
  }
  const ImPlotPoint mouse = ImPlot::GetPlotMousePos();
  const ImVec2 a = ImPlot::PlotToPixels(mouse.x, mouse.y);
  const ImVec2 b = ImPlot::PlotToPixels(mouse.x * 10.0, mouse.y + 1.0);
  view.set_hovered(
      view.nearest_point(mouse.x, mouse.y, {.px_per_decade_x = b.x - a.x, .px_per_unit_y = b.y - a.y}, 8.0));
  if (!view.hovered()) return;
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(view.tooltip(*view.hovered()).c_str());
  ImGui::EndTooltip();
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    const bool compare = ImGui::GetIO().KeyCtrl || ImGui::GetIO().KeyShift;
    view.select(*view.hovered(), compare);
  }
}

void mark(StudyTab& tab, std::optional<std::int64_t> id, const char* label, float size, ImVec4 colour) {
  if (!id) return;
  const std::optional<std::pair<double, double>> p = tab.view.point_of(*id);
  if (!p) return;
  ImPlotSpec spec;
  spec.Marker = ImPlotMarker_Circle;
  spec.MarkerSize = size;
  spec.MarkerFillColor = ImVec4(0, 0, 0, 0);
  spec.MarkerLineColor = colour;
  spec.LineWeight = 2.0f;
  spec.Flags = ImPlotItemFlags_NoLegend;
  ImPlot::PlotScatter(label, &p->first, &p->second, 1, spec);
}

void draw_series(StudyTab& tab) {
  for (const vm::Series& s : tab.view.series()) {
    const SeriesStyle style = series_style(s.style);
    ImPlot::HideNextItem(!s.visible, ImPlotCond_Always);
    ImPlotSpec points;
    points.Marker = style.marker;
    points.MarkerSize = 4.5f;
    points.MarkerFillColor = style.colour;
    points.MarkerLineColor = style.colour;
    points.LineColor = style.colour;
    ImPlot::PlotScatter(s.group.c_str(), s.xs.data(), s.ys.data(), static_cast<int>(s.xs.size()), points);
    if (ImPlot::IsLegendEntryHovered(s.group.c_str()) && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      tab.view.set_group_visible(s.group, !s.visible);
    }
    if (!s.visible) continue;
    ImPlotSpec line;
    line.LineColor = style.colour;
    line.LineWeight = 2.0f;
    line.Flags = ImPlotItemFlags_NoLegend;
    const std::string id = "##frontier " + s.group;
    ImPlot::PlotLine(id.c_str(), s.frontier_xs.data(), s.frontier_ys.data(), static_cast<int>(s.frontier_xs.size()),
                     line);
  }
}

// Scripted hover: put the (scripted) mouse on the trial's point; and for `dump`, where
// every visible point was drawn.
void script_support(StudyTab& tab) {
  if (tab.hover_request) {
    if (const std::optional<std::pair<double, double>> p = tab.view.point_of(*tab.hover_request)) {
      const ImVec2 px = ImPlot::PlotToPixels(p->first, p->second);
      tab.scripted_mouse = std::pair{px.x, px.y};
    }
    tab.hover_request.reset();
  }
  if (!tab.capture_points) return;
  tab.drawn_points.clear();
  for (const vm::Series& s : tab.view.series()) {
    if (!s.visible) continue;
    for (std::size_t i = 0; i < s.xs.size(); ++i) {
      const ImVec2 px = ImPlot::PlotToPixels(s.xs[i], s.ys[i]);
      tab.drawn_points.push_back({.trial_id = s.ids[i], .style = s.style, .x = px.x, .y = px.y});
    }
  }
}

}  // namespace

void draw_frontier_panel(Workspace& workspace, StudyTab& tab, bool toolbar) {
  if (!tab.loaded()) {
    const std::string error = tab.loader->error();
    ImGui::TextWrapped(
        "%s", error.empty() ? ("Reading " + tab.title + " ... " + tab.loader->status()).c_str() : error.c_str());
    return;
  }
  ImGui::PushID(&tab);
  if (toolbar) draw_toolbar(workspace, tab);
  vm::FrontierView& view = tab.view;
  const std::string title = fmt::format("{}##frontier", tab.title);
  const ImVec2 frame_pos = ImGui::GetCursorScreenPos(), frame_size = ImGui::GetContentRegionAvail();
  tab.plot_rect = {frame_pos.x, frame_pos.y, frame_size.x, frame_size.y};  // what "Export PNG" saves
  if (ImPlot::BeginPlot(title.c_str(), ImVec2(-1, -1))) {
    ImPlot::SetupAxes(x_label(view).c_str(), view.axes().y_metric.c_str());
    ImPlot::SetupAxisScale(ImAxis_X1, ImPlotScale_Log10);
    const vm::Range x = view.x_range(), y = view.y_range();
    ImPlot::SetupAxesLimits(x.min, x.max, y.min, y.max, tab.fit_next_frame ? ImPlotCond_Always : ImPlotCond_Once);
    setup_x_ticks(tab.fit_next_frame ? x : tab.shown_x);
    tab.fit_next_frame = false;
    ImPlot::SetupLegend(ImPlotLocation_NorthEast, ImPlotLegendFlags_NoButtons);
    ImPlot::SetupFinish();
    const ImPlotRect limits = ImPlot::GetPlotLimits();
    tab.shown_x = {limits.X.Min, limits.X.Max};
    draw_series(tab);
    mark(tab, view.selected(), "##selected", 8.0f, ImVec4(0, 0, 0, 1));
    mark(tab, view.compared(), "##compared", 8.0f, ImVec4(0.5f, 0.5f, 0.5f, 1));
    hover_and_click(tab);
    script_support(tab);
    ImPlot::EndPlot();
  }
  ImGui::PopID();
}

}  // namespace mose::app::gui

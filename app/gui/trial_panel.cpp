// The selected trial: what it is, its metrics, its configuration (diffed against the
// trial to compare with, Ctrl-click), training curves (loss against tokens), per-layer
// MoE metrics as bars, checkpoint and other artifacts, and the environment it ran in.
// Curves, artifacts and the environment are read by the loader thread on request.
#include <imgui.h>
#include <implot.h>

#include <fmt/format.h>

#include "app/gui/panels.h"
#include "app/gui/plot_style.h"
#include "study/analysis/metric_names.h"

namespace mose::app::gui {
namespace {

namespace vm = view_model;

// Recomputes the derived config diff and layer metrics when the selection or the
// snapshot changed, so a frame only draws them.
void refresh_detail(StudyTab& tab, const study::analysis::TrialRow& row, const study::analysis::TrialRow* other) {
  const vm::StudySnapshot& snapshot = *tab.view.snapshot();
  const std::int64_t other_id = other ? other->trial.id : -1;
  if (tab.detail_for == row.trial.id && tab.detail_compared == other_id && tab.detail_version == snapshot.version)
    return;
  tab.detail_for = row.trial.id;
  tab.detail_compared = other_id;
  tab.detail_version = snapshot.version;
  tab.config = vm::config_diff(snapshot.data, row, other);
  tab.layers = vm::layer_metrics(row);
}

void draw_summary(const study::analysis::TrialRow& row) {
  const db::TrialRecord& t = row.trial;
  ImGui::Text("#%lld  %s", static_cast<long long>(t.id), row.group.c_str());
  ImGui::TextWrapped("%s", row.full_label().c_str());
  ImGui::Text("%s, %s, attempts %lld%s%s", std::string(db::to_string(t.kind)).c_str(),
              std::string(db::to_string(t.status)).c_str(), static_cast<long long>(t.attempts),
              t.worker.empty() ? "" : ", worker ", t.worker.c_str());
  if (!t.error.empty()) ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1), "%s", t.error.c_str());
}

void draw_metrics(const study::analysis::TrialRow& row) {
  if (!ImGui::CollapsingHeader("Metrics", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!ImGui::BeginTable("metrics", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
  for (const auto& [name, value] : row.metrics) {
    if (name.starts_with(study::analysis::kLayerMetricPrefix)) continue;  // per layer: the bars below
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%.6g", value);
  }
  ImGui::EndTable();
}

void draw_config(const StudyTab& tab, bool comparing) {
  if (!ImGui::CollapsingHeader(comparing ? "Config (diff)" : "Config")) return;
  if (!comparing) ImGui::TextDisabled("Ctrl-click another point to compare");
  const int columns = comparing ? 3 : 2;
  if (!ImGui::BeginTable("config", columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
  for (const vm::ConfigLine& line : tab.config) {
    ImGui::TableNextRow();
    const bool differs = line.change != vm::ConfigLine::Change::kSame;
    if (differs) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.6f, 0.1f, 1));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(line.key.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(line.first.c_str());
    if (comparing) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(line.second.c_str());
    }
    if (differs) ImGui::PopStyleColor();
  }
  ImGui::EndTable();
}

void draw_curves(StudyTab& tab) {
  if (!ImGui::CollapsingHeader("Training curves", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (tab.curves.curves.empty()) {
    ImGui::TextDisabled(tab.records_seen ? "no curve points recorded" : "reading...");
    return;
  }
  if (!ImPlot::BeginPlot("##curves", ImVec2(-1, 220))) return;
  ImPlot::SetupAxes(tab.curves.x_label.c_str(), "loss", ImPlotAxisFlags_AutoFit, ImPlotAxisFlags_AutoFit);
  int style = 0;
  for (const vm::Curve& c : tab.curves.curves) {
    ImPlotSpec spec;
    spec.LineColor = series_style(style++).colour;
    ImPlot::PlotLine(c.name.c_str(), c.xs.data(), c.ys.data(), static_cast<int>(c.xs.size()), spec);
  }
  ImPlot::EndPlot();
}

void draw_layers(const StudyTab& tab) {
  if (tab.layers.empty() || !ImGui::CollapsingHeader("Per-layer MoE metrics", ImGuiTreeNodeFlags_DefaultOpen)) return;
  for (const vm::LayerMetric& m : tab.layers) {
    const std::string title = m.name + "##layer";
    if (!ImPlot::BeginPlot(title.c_str(), ImVec2(-1, 140), ImPlotFlags_NoLegend)) continue;
    ImPlot::SetupAxes("MoE layer", nullptr, ImPlotAxisFlags_AutoFit, ImPlotAxisFlags_AutoFit);
    ImPlot::PlotBars(m.name.c_str(), m.by_layer.data(), static_cast<int>(m.by_layer.size()), 0.6);
    ImPlot::EndPlot();
  }
}

void draw_records(const StudyTab& tab) {
  if (!tab.records_seen) return;
  if (ImGui::CollapsingHeader("Checkpoint and artifacts")) {
    for (const db::ArtifactRecord& a : tab.records_seen->artifacts) {
      ImGui::TextWrapped("%s: %s (%.1f MB)", a.kind.c_str(), a.path.c_str(), static_cast<double>(a.bytes) / 1e6);
    }
    if (tab.records_seen->artifacts.empty()) ImGui::TextDisabled("none recorded");
  }
  if (ImGui::CollapsingHeader("Environment")) {
    for (const db::EnvironmentEntry& e : tab.records_seen->environment) {
      ImGui::TextWrapped("%s: %s", e.key.c_str(), e.value.c_str());
    }
  }
}

}  // namespace

void draw_trial_panel(StudyTab& tab) {
  const vm::StudySnapshot* snapshot = tab.view.snapshot();
  const study::analysis::TrialRow* row =
      snapshot && tab.view.selected() ? snapshot->data.find(*tab.view.selected()) : nullptr;
  if (row == nullptr) {
    ImGui::TextDisabled("Click a point to see its trial.");
    return;
  }
  const study::analysis::TrialRow* other = tab.view.compared() ? snapshot->data.find(*tab.view.compared()) : nullptr;
  refresh_detail(tab, *row, other);
  tab.loader->request_records(row->trial.id);
  if (auto records = tab.loader->records();
      records && records->trial_id == row->trial.id && records != tab.records_seen) {
    tab.records_seen = records;
    tab.curves = vm::training_curves(records->curves);
  } else if (!records || records->trial_id != row->trial.id) {
    tab.records_seen.reset();
    tab.curves = {};
  }
  draw_summary(*row);
  if (other != nullptr)
    ImGui::Text("compared with #%lld %s", static_cast<long long>(other->trial.id), other->full_label().c_str());
  draw_metrics(*row);
  draw_curves(tab);
  draw_layers(tab);
  draw_config(tab, other != nullptr);
  draw_records(tab);
}

}  // namespace mose::app::gui

// Export: the plot as drawn (PNG, read back from the frame after it is rendered) and
// the CLI's exports (study/analysis/analysis_export.h: trials.csv, frontier.csv, the matplotlib
// PDF and its script) for the current axes. Files are written by background jobs.
#include <imgui.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/gui/panels.h"
#include "study/analysis/analysis_export.h"

namespace mose::app::gui {
namespace {

std::filesystem::path export_folder(Workspace& workspace, const StudyTab& tab) {
  if (workspace.export_dir[0] != '\0') return workspace.export_dir;
  return std::filesystem::path("export") / tab.title;
}

void export_files(Workspace& workspace, StudyTab& tab, std::vector<std::string> formats) {
  const view_model::AxisChoice& axes = tab.view.axes();
  study::analysis::ExportOptions options{
      .directory = export_folder(workspace, tab),
      .formats = std::move(formats),
      .spec = {.x_metric = axes.x_metric, .y_metric = axes.y_metric, .direction = axes.y_direction}};
  workspace.jobs.run("export", [snapshot = tab.loader->snapshot(), options] {
    std::filesystem::create_directories(options.directory);
    const std::vector<std::filesystem::path> files = study::analysis::export_study(snapshot->data, options);
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.string());
    return fmt::format("exported {}", fmt::join(names, ", "));
  });
}

}  // namespace

void draw_export_controls(Workspace& workspace, StudyTab& tab) {
  if (ImGui::Button("Export...")) ImGui::OpenPopup("export");
  if (!ImGui::BeginPopup("export")) return;
  ImGui::SetNextItemWidth(320);
  ImGui::InputTextWithHint("folder", export_folder(workspace, tab).string().c_str(), workspace.export_dir,
                           sizeof workspace.export_dir);
  if (ImGui::Button("PNG of this view")) {
    workspace.capture =
        PendingCapture{.path = export_folder(workspace, tab) / "frontier-view.png", .rect = tab.plot_rect};
    ImGui::CloseCurrentPopup();
  }
  if (ImGui::Button("CSV (trials.csv, frontier.csv)")) {
    export_files(workspace, tab, {"csv"});
    ImGui::CloseCurrentPopup();
  }
  if (ImGui::Button("PDF + PNG + SVG (matplotlib, as mose-study export)")) {
    export_files(workspace, tab, {"pdf"});
    ImGui::CloseCurrentPopup();
  }
  if (ImGui::Button("LaTeX table")) {
    export_files(workspace, tab, {"tex"});
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

}  // namespace mose::app::gui

// The log: what library code logged (through mose::log's sink) and what background jobs
// reported, newest last.
#include <imgui.h>

#include "app/gui/panels.h"

namespace mose::app::gui {

void draw_log_panel(Workspace& workspace) {
  if (ImGui::BeginChild("log", ImVec2(-1, -1))) {
    for (const std::string& line : workspace.log->lines()) ImGui::TextWrapped("%s", line.c_str());
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndChild();
}

}  // namespace mose::app::gui

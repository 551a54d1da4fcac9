// Studies: open a store by path or URL, from the recent list or a file browser; the
// open studies, the active one, and side by side comparison of all of them.
#include <imgui.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "app/gui/panels.h"

namespace mose::app::gui {
namespace {

void list_folder(FileBrowser& browser) {
  browser.entries.clear();
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(browser.folder, ec)) {
    if (e.is_directory(ec) || e.path().extension() == ".db") browser.entries.push_back(e);
  }
  std::sort(browser.entries.begin(), browser.entries.end());
  browser.listed = true;
}

void draw_browser(Workspace& workspace, FileBrowser& browser) {
  if (!ImGui::BeginPopup("browse")) return;
  if (!browser.listed) list_folder(browser);
  ImGui::TextUnformatted(browser.folder.string().c_str());
  std::optional<std::filesystem::path> go;
  if (ImGui::Selectable("..", false, ImGuiSelectableFlags_NoAutoClosePopups)) go = browser.folder.parent_path();
  for (const auto& e : browser.entries) {
    std::error_code ec;
    const bool folder = e.is_directory(ec);
    const std::string name = e.path().filename().string() + (folder ? "/" : "");
    if (!ImGui::Selectable(name.c_str(), false, folder ? ImGuiSelectableFlags_NoAutoClosePopups : 0)) continue;
    if (folder) {
      go = e.path();
    } else {
      workspace.open(e.path().string());
    }
  }
  if (go) {
    browser.folder = *go;
    browser.listed = false;
  }
  ImGui::EndPopup();
}

}  // namespace

void draw_studies_panel(Workspace& workspace) {
  char* path = workspace.open_path;
  FileBrowser& browser = workspace.browser;
  ImGui::SetNextItemWidth(-110);
  const bool entered = ImGui::InputTextWithHint("##open", "study.db or sqlite:///path", path,
                                                sizeof workspace.open_path, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button("Open") || entered) && path[0] != '\0') workspace.open(path);
  ImGui::SameLine();
  if (ImGui::Button("Browse")) {
    browser.listed = false;
    ImGui::OpenPopup("browse");
  }
  draw_browser(workspace, browser);

  if (!workspace.recent.empty() && ImGui::TreeNode("Recent")) {
    for (const std::string& url : std::vector<std::string>(workspace.recent)) {
      if (ImGui::Selectable(url.c_str())) workspace.open(url);
    }
    ImGui::TreePop();
  }
  ImGui::SeparatorText("Open studies");
  for (std::size_t i = 0; i < workspace.tabs.size(); ++i) {
    StudyTab& tab = *workspace.tabs[i];
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("x")) {
      workspace.close(i);
      ImGui::PopID();
      break;
    }
    ImGui::SameLine();
    const std::string error = tab.loader->error();
    const std::string label = fmt::format("{}{}", tab.title, error.empty() ? "" : " (error)");
    if (ImGui::Selectable(label.c_str(), workspace.active == i)) workspace.active = i;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s\n%s", tab.loader->options().url.c_str(), tab.loader->status().c_str());
    ImGui::PopID();
  }
  if (workspace.tabs.size() > 1) ImGui::Checkbox("side by side", &workspace.side_by_side);
}

}  // namespace mose::app::gui

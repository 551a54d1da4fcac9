// Filters: the trial search box, then one collapsible list of checkboxes per facet
// (mode, routing, policy, policy parameters such as width or budget, seed, recipe axes
// such as model size), each value with its number of evaluation trials.
#include <imgui.h>

#include <fmt/format.h>

#include "app/gui/panels.h"

namespace mose::app::gui {

void draw_filters_panel(StudyTab& tab) {
  if (!tab.loaded()) return;
  view_model::FrontierView& view = tab.view;
  char search[256];
  fmt::format_to_n(search, sizeof search - 1, "{}", view.filter().search()).out[0] = '\0';
  ImGui::SetNextItemWidth(-1);
  if (ImGui::InputTextWithHint("##search", "search trials (#id, label)", search, sizeof search)) {
    view.filter().set_search(search);
    view.filter_changed();
  }
  ImGui::Text("%zu points shown", view.visible_points());
  for (const view_model::Facet& facet : view.filter().facets()) {
    if (!ImGui::TreeNodeEx(facet.name.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) continue;
    ImGui::PushID(facet.name.c_str());
    for (const bool all : {true, false}) {
      if (!all) ImGui::SameLine();
      if (ImGui::SmallButton(all ? "all" : "none")) {
        view.filter().set_all(facet.name, all);
        view.filter_changed();
      }
    }
    for (const view_model::FacetValue& value : facet.values) {
      bool checked = value.checked;
      const std::string label = fmt::format("{} ({})", value.value, value.trials);
      if (ImGui::Checkbox(label.c_str(), &checked)) {
        view.filter().set_checked(facet.name, value.value, checked);
        view.filter_changed();
        break;  // the facet list changed under the loop
      }
    }
    ImGui::PopID();
    ImGui::TreePop();
  }
}

}  // namespace mose::app::gui

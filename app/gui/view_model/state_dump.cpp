#include "state_dump.h"

#include <fmt/format.h>

#include <sstream>

namespace mose::app::gui::view_model {
namespace {

std::string id_text(std::optional<std::int64_t> id) { return id ? std::to_string(*id) : "-"; }

}  // namespace

std::string state_dump(FrontierView& view) {
  std::string out;
  const StudySnapshot* snapshot = view.snapshot();
  out += fmt::format("study {}\n", snapshot ? snapshot->data.study.name : "-");
  out += fmt::format("snapshot {}\n", snapshot ? snapshot->version : 0);
  out += fmt::format("trials {}\n", snapshot ? snapshot->data.trials.size() : 0);
  out += fmt::format("visible_points {}\n", view.visible_points());
  const AxisChoice& axes = view.axes();
  out += fmt::format("axes {} {} {} {}\n", axes.x_metric, axes.y_metric, axes.x_percent_of_moe ? "percent" : "absolute",
                     study::analysis::direction_name(axes.y_direction));
  for (const Series& s : view.series()) {
    out += fmt::format("group {} style {} visible {} points {} frontier {}\n", s.group, s.style, s.visible ? 1 : 0,
                       s.xs.size(), s.frontier_xs.size());
  }
  for (const Facet& facet : view.filter().facets()) {
    for (const FacetValue& v : facet.values) {
      out += fmt::format("facet {} {} {} {}\n", facet.name, v.value, v.checked ? "on" : "off", v.trials);
    }
  }
  out += fmt::format("search {}\n", view.filter().search());
  out += fmt::format("hovered {}\nselected {}\ncompared {}\n", id_text(view.hovered()), id_text(view.selected()),
                     id_text(view.compared()));
  if (view.hovered()) {
    std::istringstream lines(view.tooltip(*view.hovered()));
    for (std::string line; std::getline(lines, line);) out += "tooltip " + line + "\n";
  }
  return out;
}

}  // namespace mose::app::gui::view_model

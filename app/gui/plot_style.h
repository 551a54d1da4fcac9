// One colour and marker per group (FrontierView's Series::style): the colour-blind-safe
// Tableau-10 palette, and markers that cycle at a different period so that groups 10
// apart still differ. Also used by the trial panel's curves.
#pragma once

#include <imgui.h>
#include <implot.h>

namespace mose::app::gui {

struct SeriesStyle {
  ImVec4 colour{};
  ImPlotMarker marker = ImPlotMarker_Circle;
};

SeriesStyle series_style(int style);

}  // namespace mose::app::gui

// The frontier view's state as text, one fact per line, for scripted runs (ui_script.h
// `dump`) and the tests that check the view-model reacted to UI actions:
//
//   study NAME | snapshot VERSION | trials N | visible_points N
//   axes X_METRIC Y_METRIC percent|absolute minimize|maximize
//   group NAME style I visible 0|1 points N frontier N
//   facet NAME VALUE on|off TRIALS
//   search TEXT | hovered ID|- | selected ID|- | compared ID|-
//   tooltip LINE                (one per line of the hovered trial's tooltip)
//
// mose-gui's `dump` appends what only the window knows: "window W H", "plot X Y W H"
// (the plot frame in window pixels) and, per visible point, "point ID STYLE X Y R G B"
// (where it was drawn and in which colour).
#pragma once

#include <string>

#include "app/gui/view_model/frontier_view.h"

namespace mose::app::gui::view_model {

std::string state_dump(FrontierView& view);

}  // namespace mose::app::gui::view_model

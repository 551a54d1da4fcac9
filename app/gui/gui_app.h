// The window: GLFW + OpenGL 3 + Dear ImGui/ImPlot, the layout of the panels, and the
// frame loop. Interactive runs sleep in glfwWaitEventsTimeout between frames (new
// snapshots are picked up within 0.25 s, input wakes it at once); --screenshot and
// --script runs draw frames back to back, except while a script waits, and exit when
// done.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mose::app::gui {

struct GuiOptions {
  std::vector<std::string> stores{};   // opened at start, the last one active
  std::string study{};                 // the study in each store (empty: its only one)
  std::filesystem::path screenshot{};  // render once everything loaded, write this PNG, exit
  std::filesystem::path script{};      // play this UI script (view_model/ui_script.h), exit
  int width = 1600, height = 1000;
  double poll_s = 1.0;
};

// Runs until the window closes (or the screenshot/script is done). Returns the exit
// code: 0, or 1 when the window cannot be created, a study never loaded for the
// screenshot, or the script failed (the reason is logged).
int run_gui(const GuiOptions& options);

}  // namespace mose::app::gui

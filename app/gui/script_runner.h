// Plays a UI script (view_model/ui_script.h) one action per frame against the live
// window: view-model actions directly, mouse actions as input events given to ImGui
// (the mouse is placed on a point through the plot's own transform), screenshots and
// state dumps after the frame is rendered. A failed action stops the script with an
// error naming its line.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "app/gui/view_model/ui_script.h"
#include "app/gui/workspace.h"

struct GLFWwindow;

namespace mose::app::gui {

class ScriptRunner {
 public:
  ScriptRunner(std::vector<view_model::ScriptAction> actions, std::string source);

  // Before ImGui::NewFrame: the scripted mouse position and button.
  void before_frame(Workspace& workspace);
  // After the frame is rendered, before the swap: runs or advances the current action.
  void after_frame(Workspace& workspace, GLFWwindow* window);

  bool done() const { return done_; }
  // The current action waits for something outside the window (a load, a run): the
  // loop may sleep between frames instead of drawing them back to back.
  bool waiting() const;
  const std::string& error() const { return error_; }

 private:
  void fail(const view_model::ScriptAction& action, const std::string& what);
  bool run(const view_model::ScriptAction& action, Workspace& workspace, GLFWwindow* window);  // true: finished
  void write_dump(const view_model::ScriptAction& action, Workspace& workspace, GLFWwindow* window);

  std::vector<view_model::ScriptAction> actions_;
  std::string source_;
  std::size_t next_ = 0;
  int wait_frames_ = 0;
  int action_frames_ = 0;  // frames the current action has taken
  std::chrono::steady_clock::time_point action_started_{};
  int mouse_down_frames_ = 0;
  bool done_ = false;
  std::string error_{};
};

}  // namespace mose::app::gui

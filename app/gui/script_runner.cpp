#include "script_runner.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <fmt/format.h>

#include <charconv>
#include <chrono>

#include "app/gui/panels.h"
#include "app/gui/plot_style.h"
#include "app/gui/view_model/state_dump.h"
#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::app::gui {
namespace {

namespace vm = view_model;

// How long a waiting action may wait before the script fails.
constexpr double kLoadTimeoutS = 60.0;     // wait-loaded
constexpr double kFinishTimeoutS = 600.0;  // wait-finished, stop-launch

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

std::optional<bool> parse_on_off(const std::string& text) {
  if (text == "on") return true;
  if (text == "off") return false;
  return std::nullopt;
}

}  // namespace

ScriptRunner::ScriptRunner(std::vector<vm::ScriptAction> actions, std::string source)
    : actions_(std::move(actions)), source_(std::move(source)) {}

void ScriptRunner::fail(const vm::ScriptAction& action, const std::string& what) {
  error_ = fmt::format("{}:{}: {}: {}", source_, action.line, action.verb, what);
  done_ = true;
}

bool ScriptRunner::waiting() const {
  if (done_ || next_ >= actions_.size() || wait_frames_ > 0) return false;
  const std::string& verb = actions_[next_].verb;
  return verb == "wait-loaded" || verb == "wait-finished" || verb == "stop-launch" || verb == "launch";
}

void ScriptRunner::before_frame(Workspace& workspace) {
  ImGuiIO& io = ImGui::GetIO();
  if (StudyTab* tab = workspace.active_tab(); tab && tab->scripted_mouse) {
    io.AddMousePosEvent(tab->scripted_mouse->first, tab->scripted_mouse->second);
  }
  if (mouse_down_frames_ > 0) {
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, mouse_down_frames_ == 2);  // down one frame, then up
    --mouse_down_frames_;
  }
}

void ScriptRunner::after_frame(Workspace& workspace, GLFWwindow* window) {
  if (done_) return;
  if (wait_frames_ > 0) {
    --wait_frames_;
    return;
  }
  if (next_ >= actions_.size()) {
    done_ = true;
    return;
  }
  const vm::ScriptAction& action = actions_[next_];
  try {
    if (action_frames_ == 0) action_started_ = std::chrono::steady_clock::now();
    if (run(action, workspace, window)) {
      ++next_;
      action_frames_ = 0;
    } else {
      ++action_frames_;
    }
  } catch (const std::exception& e) {
    fail(action, describe(e));
  }
}

bool ScriptRunner::run(const vm::ScriptAction& action, Workspace& workspace, GLFWwindow* window) {
  const std::string& verb = action.verb;
  StudyTab* tab = workspace.active_tab();
  if (verb == "wait-loaded") {
    if (!workspace.tabs.empty() && workspace.all_loaded()) return true;
    if (seconds_since(action_started_) > kLoadTimeoutS) {
      fail(action, tab ? fmt::format("{} did not load: {} {}", tab->title, tab->loader->status(), tab->loader->error())
                       : "no study is open");
    }
    return false;
  }
  if (verb == "frames") {
    wait_frames_ = std::max(0, std::stoi(action.args[0]));
    return true;
  }
  if (verb == "quit") {
    done_ = true;
    return true;
  }
  if (verb == "tab") {
    workspace.center_tab_request = action.args[0];
    wait_frames_ = 2;
    return true;
  }
  if (verb == "launch") {
    LaunchState& launch = workspace.launch;
    if (action_frames_ == 0) {
      fmt::format_to_n(launch.recipe, sizeof launch.recipe - 1, "{}", action.args[0]).out[0] = '\0';
      fmt::format_to_n(launch.out, sizeof launch.out - 1, "{}", action.args[1]).out[0] = '\0';
      launch.plan.reset();
      plan_launch_async(launch);
      return false;
    }
    if (!poll_launch_plan(launch)) return false;
    if (!launch.plan) {
      fail(action, launch.plan_error);
      return true;
    }
    start_launch(workspace);
    if (!launch.process) fail(action, launch.plan_error);
    return true;
  }
  if (verb == "stop-launch") {
    if (!workspace.launch.process) {
      fail(action, "nothing was launched");
      return true;
    }
    if (action_frames_ == 0) workspace.launch.process->stop();
    if (workspace.launch.process->running() && seconds_since(action_started_) < kFinishTimeoutS) return false;
    return true;
  }
  if (verb == "screenshot") {
    workspace.capture = PendingCapture{.path = action.args[0], .wait = true};
    wait_frames_ = 1;
    return true;
  }
  if (verb == "wait-finished") {
    if (tab != nullptr && tab->loaded() &&
        vm::run_progress(*tab->view.snapshot()).finished >= std::stoll(action.args[0])) {
      return true;
    }
    if (seconds_since(action_started_) > kFinishTimeoutS) fail(action, "the study did not get that far in time");
    return false;
  }
  if (tab == nullptr || !tab->loaded()) {
    fail(action, "no study is loaded (start with wait-loaded)");
    return true;
  }
  vm::FrontierView& view = tab->view;
  if (verb == "filter") {
    const std::optional<bool> on = parse_on_off(action.args[2]);
    if (!on)
      fail(action, fmt::format("'{}': expected on or off", action.args[2]));
    else if (!view.filter().set_checked(action.args[0], action.args[1], *on))
      fail(action, fmt::format("no filter value {} = {}", action.args[0], action.args[1]));
    view.filter_changed();
  } else if (verb == "search") {
    view.filter().set_search(action.args[0]);
    view.filter_changed();
  } else if (verb == "x-axis") {
    view.set_x_metric(action.args[0]);
    tab->fit_next_frame = true;
  } else if (verb == "y-axis") {
    view.set_y_metric(action.args[0]);
    tab->fit_next_frame = true;
  } else if (verb == "x-percent") {
    const std::optional<bool> on = parse_on_off(action.args[0]);
    if (!on)
      fail(action, fmt::format("'{}': expected on or off", action.args[0]));
    else
      view.set_x_percent_of_moe(*on);
    tab->fit_next_frame = true;
  } else if (verb == "group") {
    const std::optional<bool> on = parse_on_off(action.args[1]);
    if (!on || !view.set_group_visible(action.args[0], *on))
      fail(action, fmt::format("no group '{}' (or not on/off)", action.args[0]));
  } else if (verb == "hover") {
    const std::optional<std::int64_t> id = parse_id(action.args[0]);
    if (!id || !view.point_of(*id))
      fail(action, fmt::format("trial {} is not a visible point", action.args[0]));
    else
      tab->hover_request = *id;
    wait_frames_ = 3;  // the panel places the mouse, ImGui sees it, the panel hit-tests it
  } else if (verb == "click") {
    mouse_down_frames_ = 2;
    wait_frames_ = 3;
  } else if (verb == "select") {
    const std::optional<std::int64_t> id = parse_id(action.args[0]);
    if (!id || view.snapshot()->data.find(*id) == nullptr)
      fail(action, fmt::format("no trial {}", action.args[0]));
    else
      view.select(*id);
  } else if (verb == "dump") {
    if (!tab->capture_points) {  // one frame to record where the points were drawn
      tab->capture_points = true;
      return false;
    }
    write_dump(action, workspace, window);
    tab->capture_points = false;
  }
  return true;
}

void ScriptRunner::write_dump(const vm::ScriptAction& action, Workspace& workspace, GLFWwindow* window) {
  StudyTab& tab = *workspace.active_tab();
  std::string text = vm::state_dump(tab.view);
  int w = 0, h = 0;
  glfwGetWindowSize(window, &w, &h);
  text += fmt::format("window {} {}\n", w, h);
  text += fmt::format("plot {:.0f} {:.0f} {:.0f} {:.0f}\n", tab.plot_rect.x, tab.plot_rect.y, tab.plot_rect.w,
                      tab.plot_rect.h);
  for (const PointPixel& p : tab.drawn_points) {
    const ImVec4 c = series_style(p.style).colour;
    text += fmt::format("point {} {} {:.1f} {:.1f} {} {} {}\n", p.trial_id, p.style, p.x, p.y,
                        static_cast<int>(c.x * 255.0f + 0.5f), static_cast<int>(c.y * 255.0f + 0.5f),
                        static_cast<int>(c.z * 255.0f + 0.5f));
  }
  write_file_atomically(action.args[0], text);
}

}  // namespace mose::app::gui

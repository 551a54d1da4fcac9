#include "gui_app.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <implot.h>

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>

#include "app/gui/gl_frame.h"
#include "app/gui/panels.h"
#include "app/gui/png_image.h"
#include "app/gui/script_runner.h"
#include "app/gui/view_model/recent_studies.h"
#include "base/errors.h"
#include "base/log.h"

namespace mose::app::gui {
namespace {

constexpr float kLeftWidth = 330.0f, kRightWidth = 440.0f;
constexpr double kScreenshotTimeoutS = 60.0;
constexpr double kIdleFrameS = 0.25;        // without input a frame every 0.25 s picks up new snapshots
constexpr double kScriptWaitFrameS = 0.05;  // a waiting script checks 20 times a second

void draw_center(Workspace& workspace) {
  if (!ImGui::BeginTabBar("center")) return;
  const auto tab_item = [&](const char* label, const char* name) {
    const bool requested = workspace.center_tab_request == name;
    if (requested) workspace.center_tab_request.reset();
    return ImGui::BeginTabItem(label, nullptr, requested ? ImGuiTabItemFlags_SetSelected : 0);
  };
  if (tab_item("Frontier", "frontier")) {
    StudyTab* active = workspace.active_tab();
    if (active == nullptr) {
      ImGui::TextDisabled("Open a study (left), or start one from Launch.");
    } else if (workspace.side_by_side && workspace.tabs.size() > 1 &&
               ImGui::BeginTable("side by side", static_cast<int>(workspace.tabs.size()),
                                 ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow(0, ImGui::GetContentRegionAvail().y);
      for (auto& tab : workspace.tabs) {
        ImGui::TableNextColumn();
        draw_frontier_panel(workspace, *tab, tab.get() == active);
      }
      ImGui::EndTable();
    } else {
      draw_frontier_panel(workspace, *active, true);
    }
    ImGui::EndTabItem();
  }
  if (tab_item("Launch", "launch")) {
    draw_launch_panel(workspace);
    ImGui::EndTabItem();
  }
  if (tab_item("Log", "log")) {
    draw_log_panel(workspace);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

void draw_status(StudyTab* tab) {
  if (tab == nullptr) return;
  ImGui::Separator();
  const std::string error = tab->loader->error();
  if (!error.empty()) ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1), "%s", error.c_str());
  ImGui::TextDisabled("%s", tab->loader->status().c_str());
  if (const view_model::StudySnapshot* s = tab->view.snapshot()) {
    ImGui::TextDisabled("train %lld/%lld done, eval %lld/%lld done, %lld running",
                        static_cast<long long>(s->training.done), static_cast<long long>(s->training.total()),
                        static_cast<long long>(s->evaluation.done), static_cast<long long>(s->evaluation.total()),
                        static_cast<long long>(s->training.running + s->evaluation.running));
  }
}

void draw_frame(Workspace& workspace) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("mose-gui", nullptr, flags);
  StudyTab* active = workspace.active_tab();
  if (ImGui::BeginChild("left", ImVec2(kLeftWidth, 0), ImGuiChildFlags_Borders)) {
    ImGui::SeparatorText("Studies");
    draw_studies_panel(workspace);
    draw_status(active);
    ImGui::SeparatorText("Filters");
    if (active != nullptr) draw_filters_panel(*active);
  }
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("center", ImVec2(-kRightWidth, 0))) draw_center(workspace);
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("right", ImVec2(0, 0), ImGuiChildFlags_Borders)) {
    ImGui::SeparatorText("Trial");
    if (active != nullptr) draw_trial_panel(*active);
  }
  ImGui::EndChild();
  ImGui::End();
}

// Reads back the frame a panel or the script asked for and writes it: at once for
// scripts (the next action may read it), on a background job otherwise.
void take_capture(Workspace& workspace, GLFWwindow* window) {
  if (!workspace.capture) return;
  PendingCapture capture = std::move(*workspace.capture);
  workspace.capture.reset();
  RgbaImage image = read_frame(window, capture.rect);
  if (capture.wait) {
    write_png(capture.path, image);
    return;
  }
  workspace.jobs.run("PNG export", [path = capture.path, image = std::move(image)] {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    write_png(path, image);
    return fmt::format("wrote {} ({}x{})", path.string(), image.width, image.height);
  });
}

// After a screenshot: names each study that did not load, with why (an error, or the
// store it still waits for); 1 when there was one, else 0.
int report_unloaded(const Workspace& workspace) {
  int code = 0;
  for (const auto& tab : workspace.tabs) {
    if (tab->loaded()) continue;
    const std::string error = tab->loader->error();
    log::error("{} not loaded: {}", tab->title, error.empty() ? tab->loader->status() : error);
    code = 1;
  }
  return code;
}

struct Window {
  GLFWwindow* handle = nullptr;
  ~Window() {
    if (handle == nullptr) return;
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImPlot::DestroyContext();
    ImGui::DestroyContext();
    glfwDestroyWindow(handle);
    glfwTerminate();
  }
};

bool open_window(Window& window, const GuiOptions& options) {
  glfwSetErrorCallback([](int code, const char* text) { log::error("GLFW error {}: {}", code, text); });
  if (!glfwInit()) return false;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  window.handle = glfwCreateWindow(options.width, options.height, "mose-gui", nullptr, nullptr);
  if (window.handle == nullptr) {
    glfwTerminate();
    return false;
  }
  glfwMakeContextCurrent(window.handle);
  glfwSwapInterval(1);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImPlot::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; write nothing into the working directory
  ImGui::StyleColorsLight();
  ImPlot::StyleColorsLight();
  ImGui_ImplGlfw_InitForOpenGL(window.handle, true);
  ImGui_ImplOpenGL3_Init("#version 130");
  return true;
}

}  // namespace

int run_gui(const GuiOptions& options) {
  std::optional<ScriptRunner> script;
  if (!options.script.empty()) script.emplace(view_model::read_ui_script(options.script), options.script.string());
  Window window;
  if (!open_window(window, options)) {
    log::error("cannot open a window (is DISPLAY set? under CI run mose-gui inside xvfb-run)");
    return 1;
  }
  Workspace workspace;
  workspace.poll_s = options.poll_s;
  // The log panel shows every line; warnings and errors also go to stderr, where
  // scripted runs and CI see them.
  log::set_sink([log = workspace.log](log::Level level, std::string_view message) {
    std::string line = fmt::format("[{}] {}", log::level_name(level), message);
    if (level >= log::Level::kWarning) fmt::print(stderr, "{}\n", line);
    log->add(std::move(line));
  });
  workspace.recent = view_model::read_recent_studies(view_model::recent_studies_file());
  for (const std::string& store : options.stores) workspace.open(store, options.study);
  const bool scripted = script.has_value() || !options.screenshot.empty();
  const auto started = std::chrono::steady_clock::now();
  int settled_frames = 0, code = 0;
  while (!glfwWindowShouldClose(window.handle)) {
    // Software OpenGL draws a frame with every core it has: frames come back to back
    // only while a script acts, so that a study running beside the window (often
    // launched from it) keeps the CPU.
    const bool acting = script ? !script->waiting() : scripted && workspace.all_settled();
    if (acting) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(scripted ? kScriptWaitFrameS : kIdleFrameS);
    }
    workspace.update();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (script) script->before_frame(workspace);
    ImGui::NewFrame();
    draw_frame(workspace);
    ImGui::Render();
    clear_frame(window.handle, 0.94f, 0.94f, 0.94f);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    take_capture(workspace, window.handle);
    if (script) {
      script->after_frame(workspace, window.handle);
      if (script->done()) {
        if (!script->error().empty()) {
          log::error("{}", script->error());
          code = 1;
        }
        break;
      }
    } else if (!options.screenshot.empty()) {
      // A few frames after every study loaded or failed, so the layout and plot limits
      // settled; at the timeout the image shows whatever loaded by then.
      settled_frames = workspace.all_settled() ? settled_frames + 1 : 0;
      const bool timed_out =
          std::chrono::steady_clock::now() - started > std::chrono::duration<double>(kScreenshotTimeoutS);
      if (settled_frames == 4 || timed_out) {
        write_png(options.screenshot, read_frame(window.handle, std::nullopt));
        code = report_unloaded(workspace);
        break;
      }
    }
    glfwSwapBuffers(window.handle);
  }
  workspace.jobs.wait_all();
  log::set_sink(nullptr);
  for (const std::string& line : workspace.jobs.collect()) {
    if (!line.empty()) log::info("{}", line);
  }
  return code;
}

}  // namespace mose::app::gui

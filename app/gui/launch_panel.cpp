// Launch: pick a recipe, see how many trials it expands to (read on a background
// thread), start `mose-study run` as a child process, watch its progress (read back
// from the study store, as for any live study), ETA and log tail, and stop it with
// SIGINT, which leaves the study resumable.
#include <imgui.h>

#include <fmt/format.h>

#include <chrono>

#include "app/gui/panels.h"
#include "base/errors.h"
#include "study/analysis/study_status.h"

namespace mose::app::gui {
namespace {

namespace vm = view_model;

void draw_plan(LaunchState& launch) {
  ImGui::SetNextItemWidth(-160);
  ImGui::InputText("recipe", launch.recipe, sizeof launch.recipe);
  ImGui::SameLine();
  if (ImGui::Button("Check recipe")) plan_launch_async(launch);
  poll_launch_plan(launch);
  if (launch.planning.valid()) ImGui::TextDisabled("reading the recipe...");
  if (!launch.plan_error.empty()) ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1), "%s", launch.plan_error.c_str());
  if (!launch.plan) return;
  const vm::LaunchPlan& plan = *launch.plan;
  ImGui::Text("study '%s': %zu training + %zu evaluation trials = %zu, into %s", plan.study.c_str(),
              plan.training_trials, plan.evaluation_trials, plan.training_trials + plan.evaluation_trials,
              plan.out.string().c_str());
  if (ImGui::TreeNode("what mose-study check says")) {
    ImGui::TextUnformatted(plan.description.c_str());
    ImGui::TreePop();
  }
}

}  // namespace

void plan_launch_async(LaunchState& launch) {
  launch.planning = std::async(std::launch::async, [path = std::string(launch.recipe), out = std::string(launch.out)] {
    return vm::plan_launch(path, out);
  });
}

bool poll_launch_plan(LaunchState& launch) {
  if (!launch.planning.valid() || launch.planning.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return !launch.planning.valid();
  }
  try {
    launch.plan = launch.planning.get();
    launch.plan_error.clear();
  } catch (const std::exception& e) {
    launch.plan.reset();
    launch.plan_error = describe(e);
  }
  return true;
}

void start_launch(Workspace& workspace) {
  LaunchState& launch = workspace.launch;
  if (!launch.plan || (launch.process && launch.process->running())) return;
  try {
    launch.process = std::make_unique<vm::ChildProcess>(
        vm::mose_study_program(), vm::run_arguments(*launch.plan, launch.workers), std::filesystem::current_path());
    launch.store = (launch.plan->out / "study.db").string();
    workspace.open(launch.store, launch.plan->study);
  } catch (const std::exception& e) {
    launch.plan_error = describe(e);
  }
}

namespace {

void draw_run(Workspace& workspace) {
  LaunchState& launch = workspace.launch;
  const bool running = launch.process && launch.process->running();
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("workers", &launch.workers);
  launch.workers = std::max(1, launch.workers);
  ImGui::SameLine();
  ImGui::BeginDisabled(running || !launch.plan);
  if (ImGui::Button("Start")) start_launch(workspace);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button("Stop (resumable)")) launch.process->stop();
  ImGui::EndDisabled();
  if (!launch.process) return;
  if (const std::optional<int> code = launch.process->exit_code()) {
    ImGui::SameLine();
    ImGui::Text(*code == 0 ? "finished" : *code == 130 ? "stopped; Start continues it" : "exited with %d", *code);
  }
  for (const auto& tab : workspace.tabs) {
    if (tab->loader->options().url != launch.store) continue;
    if (const vm::StudySnapshot* snapshot = tab->view.snapshot()) {
      const vm::RunProgress progress = vm::run_progress(*snapshot);
      const std::string overlay =
          fmt::format("{}/{} trials, ETA {}", progress.finished, progress.total,
                      progress.eta_s ? study::analysis::format_duration(*progress.eta_s) : "unknown");
      ImGui::ProgressBar(static_cast<float>(progress.fraction), ImVec2(-1, 0), overlay.c_str());
    } else {
      ImGui::TextDisabled("%s", tab->loader->status().c_str());
    }
  }
  ImGui::TextDisabled("%s", launch.process->command_line().c_str());
  if (ImGui::BeginChild("tail", ImVec2(-1, -1), ImGuiChildFlags_Borders)) {
    for (const std::string& line : launch.process->tail(200)) ImGui::TextUnformatted(line.c_str());
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndChild();
}

}  // namespace

void draw_launch_panel(Workspace& workspace) {
  draw_plan(workspace.launch);
  ImGui::Separator();
  draw_run(workspace);
}

}  // namespace mose::app::gui

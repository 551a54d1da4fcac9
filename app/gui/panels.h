// The panels, one per file, each drawing from the workspace (workspace.h) and the
// view-models in it. Panels change view-model state (filters, axes, selection) and
// start background work; they never read files or the database themselves.
#pragma once

#include "app/gui/workspace.h"

namespace mose::app::gui {

void draw_studies_panel(Workspace& workspace);                                // studies_panel.cpp
void draw_filters_panel(StudyTab& tab);                                       // filters_panel.cpp
void draw_frontier_panel(Workspace& workspace, StudyTab& tab, bool toolbar);  // frontier_panel.cpp
void draw_export_controls(Workspace& workspace, StudyTab& tab);               // export_panel.cpp
void draw_trial_panel(StudyTab& tab);                                         // trial_panel.cpp
void draw_launch_panel(Workspace& workspace);                                 // launch_panel.cpp
void draw_log_panel(Workspace& workspace);                                    // log_panel.cpp

// Launch actions shared by the panel's buttons and scripts (launch_panel.cpp).
void plan_launch_async(LaunchState& launch);  // reads launch.recipe on a background thread
bool poll_launch_plan(LaunchState& launch);   // true once the plan (or its error) arrived
void start_launch(Workspace& workspace);      // needs launch.plan; opens the study's tab

}  // namespace mose::app::gui

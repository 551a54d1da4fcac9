// `mose-gui --script FILE`: UI actions played one per frame, so tests (and the README's
// screenshots) drive the real window under Xvfb. One action per line, '#' comments:
//
//   wait-loaded                 wait (up to 30 s) until every open study has a snapshot
//   frames N                    let N frames pass
//   filter FACET VALUE on|off   a filter checkbox (trial_filter.h)
//   search TEXT                 the trial search box (rest of the line)
//   x-axis METRIC | y-axis METRIC | x-percent on|off
//   group GROUP on|off          a legend entry
//   hover TRIAL_ID              moves the mouse onto the trial's point
//   click                       left click where the mouse is (selects the hovered point)
//   select TRIAL_ID             selects a trial as a click on its point would
//   tab NAME                    shows a panel tab: frontier, launch, log
//   launch RECIPE OUT           checks the recipe and starts `mose-study run` into OUT
//   wait-finished N             waits (up to 10 min) until the active study has N trials done or failed
//   stop-launch                 stops the launched run (SIGINT) and waits for it to exit
//   screenshot PATH             the window as PNG
//   dump PATH                   the view-model's state as text (state_dump.h)
//   quit
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mose::app::gui::view_model {

struct ScriptAction {
  std::string verb{};
  std::vector<std::string> args{};  // search: one argument, the rest of the line
  int line = 0;
};

// Throws UsageError "<source>:<line>: ..." naming an unknown verb (and the known ones)
// or a wrong argument count.
std::vector<ScriptAction> parse_ui_script(std::string_view text, std::string_view source);
std::vector<ScriptAction> read_ui_script(const std::filesystem::path& path);

}  // namespace mose::app::gui::view_model

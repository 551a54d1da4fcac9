// mose-gui: the interactive side of a study. `mose-gui [study.db ...]` opens study
// stores and makes the Pareto analysis interactive; `mose-study` keeps doing the work
// (the Launch panel runs it as a child process).
//
//   mose-gui out/quickstart/study.db
//   mose-gui --db a.db --db b.db                     several studies, side by side
//   mose-gui --db study.db --screenshot out.png      render once, write the PNG, exit
//   mose-gui --db study.db --script actions.txt      play UI actions (view_model/ui_script.h)
//
// --screenshot writes the PNG once every store has loaded or failed (a store that cannot
// be read fails at once and never holds up the others), or after 60 s with what loaded.
//
// Exit codes: 0 success, 1 a failure (no window, a study that did not load for a
// screenshot, which is written all the same, a failed script action), 2 usage.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "app/gui/gui_app.h"
#include "base/errors.h"

int main(int argc, char** argv) {
  mose::app::gui::GuiOptions options;
  std::vector<std::string> positional, flagged;
  std::string size = "1600x1000";
  CLI::App app{"mose-gui: interactive Pareto analysis of mose studies"};
  app.add_option("stores", positional, "study stores to open (SQLite files or storage URLs)");
  app.add_option("--db", flagged, "a study store to open (repeatable)");
  app.add_option("--study", options.study, "the study in each store (default: the store's only study)");
  app.add_option("--screenshot", options.screenshot,
                 "render the studies once, write this PNG and exit (1 when a study did not load)");
  app.add_option("--script", options.script, "play a UI script and exit");
  app.add_option("--size", size, "window size WxH")->check([](const std::string& s) {
    int w = 0, h = 0;
    return std::sscanf(s.c_str(), "%dx%d", &w, &h) == 2 && w >= 200 && h >= 200 ? "" : "expected WxH, at least 200x200";
  });
  app.add_option("--poll", options.poll_s, "seconds between checks for new trials")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  std::sscanf(size.c_str(), "%dx%d", &options.width, &options.height);
  options.stores = positional;
  options.stores.insert(options.stores.end(), flagged.begin(), flagged.end());
  try {
    return mose::app::gui::run_gui(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mose-gui: {}\n", mose::describe(e));
    return dynamic_cast<const mose::UsageError*>(&e) != nullptr ? 2 : 1;
  }
}

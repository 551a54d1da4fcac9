// Everything the window shows, as the UI thread owns it: the open studies (each a
// loader thread and its frontier view-model), the launch in progress, background jobs
// (exports, PNG writes, the recent list), the log. Panels draw from it; nothing here
// waits for I/O: a frame only takes the loaders' latest snapshots and the jobs'
// finished results.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/view_model/child_process.h"
#include "app/gui/view_model/frontier_view.h"
#include "app/gui/view_model/launch_plan.h"
#include "app/gui/view_model/study_loader.h"
#include "app/gui/view_model/trial_detail.h"

namespace mose::app::gui {

// Where the frontier panel drew a visible point in the last frame (for `dump`).
struct PointPixel {
  std::int64_t trial_id = 0;
  int style = 0;
  float x = 0, y = 0;  // window pixels from the top-left
};

struct PixelRect {
  float x = 0, y = 0, w = 0, h = 0;
};

// One open study.
struct StudyTab {
  explicit StudyTab(view_model::LoaderOptions options);

  std::unique_ptr<view_model::StudyLoader> loader;
  view_model::FrontierView view{};
  std::uint64_t seen_version = 0;
  std::string title{};  // the study's name once read, the store until then

  // Frontier panel.
  bool fit_next_frame = true;                   // set the axis ranges from the data once
  std::optional<std::int64_t> hover_request{};  // script: the mouse goes onto this trial's point
  std::optional<std::pair<float, float>> scripted_mouse{};
  std::vector<PointPixel> drawn_points{};  // refreshed while capture_points is set
  bool capture_points = false;
  PixelRect plot_rect{};
  view_model::Range shown_x{};  // the x limits drawn last frame (zoom and pan), for the ticks

  // Trial panel: what the selection derives, recomputed only when it changes.
  std::int64_t detail_for = -1, detail_compared = -1;
  std::uint64_t detail_version = 0;
  std::vector<view_model::ConfigLine> config{};
  std::vector<view_model::LayerMetric> layers{};
  std::shared_ptr<const view_model::TrialRecords> records_seen{};
  view_model::TrainingCurves curves{};

  // Takes the loader's latest snapshot into the view-model when it is new.
  void update();
  bool loaded() const { return view.snapshot() != nullptr; }
  // Loaded, or not loading for a reason a wait will not cure soon: its loader reported
  // an error (a store that cannot be read) or waits for a store that does not exist.
  // What a screenshot waits for, so that one bad store never holds up the others.
  bool settled() const;
};

// Jobs that must not run on the UI thread: each runs on its own thread and returns a
// line for the log; an exception becomes the log line instead.
class BackgroundJobs {
 public:
  void run(std::string what, std::function<std::string()> job);
  // Finished jobs' lines, in the order they finished being collected.
  std::vector<std::string> collect();
  std::size_t pending() const { return jobs_.size(); }
  void wait_all();

 private:
  struct Job {
    std::string what;
    std::future<std::string> result;
  };
  std::vector<Job> jobs_;
};

// The log sink's lines (any thread), for the log panel.
class LogBuffer {
 public:
  void add(std::string line);
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> lines_;
};

struct LaunchState {
  char recipe[1024] = "recipes/quickstart.toml";
  char out[1024] = "";
  int workers = 1;
  std::future<view_model::LaunchPlan> planning{};
  std::optional<view_model::LaunchPlan> plan{};
  std::string plan_error{};
  std::unique_ptr<view_model::ChildProcess> process{};
  std::string store{};  // the running study's store, opened as a tab
};

// The studies panel's file browser: folders and *.db files of one folder, listed again
// only when the folder changes (one directory read per click, never per frame).
struct FileBrowser {
  std::filesystem::path folder = std::filesystem::current_path();
  std::vector<std::filesystem::directory_entry> entries{};
  bool listed = false;
};

// A PNG of the window (or a part of it) to take after the frame is rendered.
struct PendingCapture {
  std::filesystem::path path{};
  std::optional<PixelRect> rect{};  // nullopt: the whole window
  bool wait = false;                // write before the next frame (scripts), not in the background
};

struct Workspace {
  std::vector<std::unique_ptr<StudyTab>> tabs{};
  std::size_t active = 0;
  bool side_by_side = false;
  double poll_s = 1.0;
  std::vector<std::string> recent{};
  LaunchState launch{};
  BackgroundJobs jobs{};
  std::shared_ptr<LogBuffer> log = std::make_shared<LogBuffer>();
  std::optional<std::string> center_tab_request{};  // "frontier", "launch", "log"
  std::optional<PendingCapture> capture{};
  char export_dir[1024] = "";
  char open_path[1024] = "";
  FileBrowser browser{};

  // Opens a store (or switches to it when open) and remembers it as recent.
  StudyTab& open(const std::string& url, const std::string& study = "");
  void close(std::size_t index);
  StudyTab* active_tab() { return active < tabs.size() ? tabs[active].get() : nullptr; }
  void update();  // every frame: snapshots, finished jobs
  bool all_loaded() const;
  bool all_settled() const;
};

}  // namespace mose::app::gui

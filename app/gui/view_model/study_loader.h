// Reads a study on a background thread and publishes snapshots (study_snapshot.h), so
// the UI never waits for the database. Tracy's split: the worker owns its own Storage
// (one per thread, db/storage.h), publishes results and errors as data, and the UI
// takes the latest pointer each frame.
//
// Live updates. Every poll_s the thread counts the study's trials per status (one
// small query; SQLite in WAL mode, so this reader never blocks a running study's
// writer). It reloads the whole study when the counts changed (a trial finishing
// commits its status and metrics together), every running_refresh_s while trials are
// running (their progress and the ETA), and when refresh() asks. A SQLite store that
// does not exist yet (a study just launched) is waited for, never created: stores are
// opened read-only (db::StorageOptions::read_only), so the GUI never changes one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/gui/view_model/study_snapshot.h"
#include "app/gui/view_model/trial_detail.h"

namespace mose::app::gui::view_model {

struct LoaderOptions {
  std::string url{};    // db::open_storage URL or SQLite path
  std::string study{};  // empty: the store's only study
  double poll_s = 1.0;
  double running_refresh_s = 5.0;
};

class StudyLoader {
 public:
  explicit StudyLoader(LoaderOptions options);
  ~StudyLoader();  // stops and joins the thread
  StudyLoader(const StudyLoader&) = delete;
  StudyLoader& operator=(const StudyLoader&) = delete;

  const LoaderOptions& options() const { return options_; }
  // The latest snapshot; nullptr until the first load finished.
  std::shared_ptr<const StudySnapshot> snapshot() const;
  // The records of the trial last asked for, once read (nullptr before).
  std::shared_ptr<const TrialRecords> records() const;
  // Asks for a trial's curves, artifacts and environment; they are read on the next wake.
  void request_records(std::int64_t trial_id);
  // Reloads now instead of at the next poll.
  void refresh();

  // The last failure (opening, reading), "" after a successful read. The thread keeps
  // retrying every poll_s.
  std::string error() const;
  // What the thread is doing, for the status line ("waiting for out/x/study.db", ...).
  std::string status() const;
  // True while a SQLite store does not exist (yet) and the thread waits for it.
  bool waiting_for_store() const { return waiting_.load(); }
  // Snapshots published so far.
  std::uint64_t loads() const { return loads_.load(); }

 private:
  void run(std::stop_token stop);
  void set_text(std::string& field, std::string text);

  LoaderOptions options_;
  mutable std::mutex mutex_;  // guards the shared pointers and texts below
  std::condition_variable_any wake_;
  std::shared_ptr<const StudySnapshot> snapshot_{};
  std::shared_ptr<const TrialRecords> records_{};
  std::optional<std::int64_t> wanted_records_{};
  bool refresh_requested_ = false;
  std::string error_{}, status_{};
  std::atomic<std::uint64_t> loads_{0};
  std::atomic<bool> waiting_{false};
  std::jthread thread_;  // last: starts after every member above exists
};

}  // namespace mose::app::gui::view_model

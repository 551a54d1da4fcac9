#include "study_loader.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "base/errors.h"
#include "db/clock.h"
#include "db/storage.h"
#include "db/storage_url.h"

namespace mose::app::gui::view_model {
namespace {

bool same_counts(const db::StatusCounts& a, const db::StatusCounts& b) {
  return a.pending == b.pending && a.running == b.running && a.done == b.done && a.failed == b.failed;
}

// The trial's curves come from its training trial; artifacts from both (the checkpoint
// belongs to the training trial); the environment from the trial itself.
TrialRecords read_records(db::Storage& storage, std::int64_t trial_id) {
  TrialRecords records{.trial_id = trial_id, .curves_trial = trial_id};
  const std::optional<db::TrialRecord> trial = storage.get_trial(trial_id);
  if (trial && trial->parent_id) records.curves_trial = *trial->parent_id;
  records.curves = storage.get_curves(records.curves_trial);
  records.artifacts = storage.get_artifacts(trial_id);
  if (records.curves_trial != trial_id) {
    for (db::ArtifactRecord& a : storage.get_artifacts(records.curves_trial)) records.artifacts.push_back(std::move(a));
  }
  records.environment = storage.get_environment(trial_id);
  return records;
}

}  // namespace

StudyLoader::StudyLoader(LoaderOptions options)
    : options_(std::move(options)), thread_([this](std::stop_token stop) { run(stop); }) {}

StudyLoader::~StudyLoader() {
  thread_.request_stop();
  wake_.notify_all();
}

std::shared_ptr<const StudySnapshot> StudyLoader::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::shared_ptr<const TrialRecords> StudyLoader::records() const {
  std::lock_guard lock(mutex_);
  return records_;
}

void StudyLoader::request_records(std::int64_t trial_id) {
  {
    std::lock_guard lock(mutex_);
    if (wanted_records_ == trial_id) return;
    wanted_records_ = trial_id;
  }
  wake_.notify_all();
}

void StudyLoader::refresh() {
  {
    std::lock_guard lock(mutex_);
    refresh_requested_ = true;
  }
  wake_.notify_all();
}

std::string StudyLoader::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

std::string StudyLoader::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void StudyLoader::set_text(std::string& field, std::string text) {
  std::lock_guard lock(mutex_);
  field = std::move(text);
}

void StudyLoader::run(std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  std::unique_ptr<db::Storage> storage;
  std::optional<db::StudyRecord> study;
  std::optional<study::recipe::Recipe> recipe;
  std::optional<db::StatusCounts> counts;
  Clock::time_point last_load{};
  std::uint64_t version = 0;
  while (!stop.stop_requested()) {
    try {
      if (!storage) {
        const db::StorageUrl parsed = db::parse_storage_url(options_.url);
        waiting_ = parsed.backend == db::Backend::kSqlite && !std::filesystem::exists(parsed.location);
        if (waiting_) {
          set_text(status_, fmt::format("waiting for {}", parsed.location));
        } else {
          storage = db::open_storage(options_.url, {.read_only = true});
        }
      }
      if (storage && !study) {
        study = study::analysis::find_study(*storage, options_.study);
        recipe = study::analysis::load_study_recipe(*study);
      }
      if (storage && study) {
        bool reload = false;
        std::optional<std::int64_t> wanted;
        {
          std::lock_guard lock(mutex_);
          reload = std::exchange(refresh_requested_, false);
          wanted = wanted_records_;
        }
        const db::StatusCounts now_counts = storage->count_trials(study->id);
        reload = reload || !counts || !same_counts(*counts, now_counts) ||
                 (now_counts.running > 0 &&
                  Clock::now() - last_load > std::chrono::duration<double>(options_.running_refresh_s));
        if (reload) {
          set_text(status_, "reading");
          auto snapshot = std::make_shared<StudySnapshot>(make_snapshot(
              study::analysis::load_study_data(*storage, *study, recipe ? &*recipe : nullptr), db::unix_now()));
          snapshot->source = storage->describe();
          snapshot->loaded_at = db::unix_now();
          snapshot->version = ++version;
          counts = now_counts;
          last_load = Clock::now();
          std::lock_guard lock(mutex_);
          snapshot_ = std::move(snapshot);
          ++loads_;
        }
        std::shared_ptr<const TrialRecords> have = records();
        if (wanted && (!have || have->trial_id != *wanted || reload)) {
          auto records = std::make_shared<TrialRecords>(read_records(*storage, *wanted));
          std::lock_guard lock(mutex_);
          records_ = std::move(records);
        }
        set_text(status_, fmt::format("live: {} trials, checked every {:g} s", now_counts.total(), options_.poll_s));
      }
      set_text(error_, "");
    } catch (const std::exception& e) {
      set_text(error_, describe(e));
      study.reset();  // find the study again next time (it may have been created since)
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, stop, std::chrono::duration<double>(options_.poll_s), [this] {
      return refresh_requested_ || (wanted_records_ && (!records_ || records_->trial_id != *wanted_records_));
    });
  }
}

}  // namespace mose::app::gui::view_model

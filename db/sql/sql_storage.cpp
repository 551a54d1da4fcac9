// SqlStorage, part 1 of 4: opening, studies, adding and querying trials (see
// sql_storage.h for how the methods are split).
#include "db/sql/sql_storage.h"

#include "base/errors.h"
#include "db/sql/migrate.h"
#include "db/sql/record_rows.h"
#include "db/sql/schema.h"

namespace mose::db::sql {
namespace {

std::string select_trials(std::string_view where) {
  return "SELECT " + std::string(kTrialColumns) + " FROM trials " + std::string(where);
}

}  // namespace

SqlStorage::SqlStorage(std::unique_ptr<Session> session, Clock clock, bool read_only)
    : session_(std::move(session)), clock_(std::move(clock)) {
  if (!clock_) reject("StorageOptions::clock is empty");
  if (read_only) {
    require_current(*session_, schema_migrations(dialect()));
  } else {
    migrate(*session_, schema_migrations(dialect()));
  }
}

std::string SqlStorage::describe() const { return session_->describe(); }

void SqlStorage::reject(const std::string& what) const { throw DbError(session_->name() + ": " + what); }

// ---------------------------------------------------------------- studies

// In PostgreSQL, ON CONFLICT DO NOTHING waits for a concurrent insert of the
// same name to commit, so the SELECT after it always finds the one stored study.
StudyRecord SqlStorage::create_or_get_study(const NewStudy& study) {
  if (study.name.empty()) reject("a study needs a non-empty name");
  Transaction transaction(*session_);
  session_->run(
      "INSERT INTO studies (name, recipe_path, recipe_text, created) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (name) DO NOTHING",
      Params::of(study.name, study.recipe_path, study.recipe_text, clock_()));
  std::optional<StudyRecord> stored = find_study(study.name);
  transaction.commit();
  return *stored;
}

std::optional<StudyRecord> SqlStorage::find_study(std::string_view name) {
  const Rows found =
      session_->run("SELECT " + std::string(kStudyColumns) + " FROM studies WHERE name = $1", Params::of(name));
  if (found.empty()) return std::nullopt;
  return read_study(found, 0);
}

std::vector<StudyRecord> SqlStorage::list_studies() {
  return read_all(session_->run("SELECT " + std::string(kStudyColumns) + " FROM studies ORDER BY id"), read_study);
}

// ---------------------------------------------------------------- trials

std::vector<AddedTrial> SqlStorage::add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) {
  Transaction transaction(*session_);
  if (session_->run("SELECT 1 FROM studies WHERE id = $1", Params::of(study_id)).empty()) {
    reject("cannot add trials to study " + std::to_string(study_id) + ": no such study");
  }
  const double now = clock_();
  std::vector<AddedTrial> added;
  added.reserve(trials.size());
  for (const NewTrial& trial : trials) added.push_back(insert_trial_checked(study_id, trial, now));
  transaction.commit();
  return added;
}

std::vector<std::int64_t> SqlStorage::rekey_trials(std::int64_t study_id, const std::vector<TrialRekey>& rekeys) {
  Transaction transaction(*session_);
  std::vector<std::int64_t> rekeyed;
  for (const TrialRekey& r : rekeys) {
    if (r.new_config.empty() || r.new_hash.empty() || r.old_hash.empty()) {
      reject("study " + std::to_string(study_id) + ": a rekey needs both hashes and a config (old hash '" + r.old_hash +
             "')");
    }
    const std::string taken = "SELECT 1 FROM trials WHERE study_id = $1 AND config_hash = $2";
    if (!session_->run(taken, Params::of(study_id, r.new_hash)).empty()) continue;
    const Rows moved = session_->run(
        "UPDATE trials SET config_hash = $3, config = $4 WHERE study_id = $1 AND config_hash = $2 RETURNING id",
        Params::of(study_id, r.old_hash, r.new_hash, r.new_config));
    if (moved.empty()) continue;
    const std::int64_t id = moved.int64(0, 0);
    session_->run("UPDATE artifacts SET path = REPLACE(path, $2, $3) WHERE trial_id = $1",
                  Params::of(id, r.old_hash, r.new_hash));
    rekeyed.push_back(id);
  }
  transaction.commit();
  return rekeyed;
}

std::optional<AddedTrial> SqlStorage::find_added(std::int64_t study_id, const NewTrial& trial) {
  const Rows existing = session_->run("SELECT id, config FROM trials WHERE study_id = $1 AND config_hash = $2",
                                      Params::of(study_id, trial.config_hash));
  if (existing.empty()) return std::nullopt;
  if (existing.text(0, 1) != trial.config) {
    reject("study " + std::to_string(study_id) + ": config hash '" + trial.config_hash + "' of trial " +
           std::to_string(existing.int64(0, 0)) + " already stands for a different config");
  }
  return AddedTrial{existing.int64(0, 0), false};
}

// Looks the hash up before inserting, so a duplicate returns the existing id
// and a hash that stands for a different config is caught instead of silently
// merged. The INSERT still says ON CONFLICT DO NOTHING: in PostgreSQL another
// process may add the same trial between the look-up and the insert, and then
// this statement waits for its commit and inserts nothing, where a plain
// INSERT would fail on the unique key; the second look-up sees that trial.
AddedTrial SqlStorage::insert_trial_checked(std::int64_t study_id, const NewTrial& trial, double now) {
  if (trial.config.empty() || trial.config_hash.empty()) {
    reject("study " + std::to_string(study_id) + ": a trial needs a config and a config hash (hash '" +
           trial.config_hash + "')");
  }
  if (const std::optional<AddedTrial> existing = find_added(study_id, trial)) return *existing;
  if (trial.parent_id && !get_trial(*trial.parent_id)) {
    reject("trial with config hash '" + trial.config_hash + "' names parent trial " + std::to_string(*trial.parent_id) +
           ", which does not exist");
  }
  const Rows inserted = session_->run(
      "INSERT INTO trials (study_id, kind, config, config_hash, parent_id, seed, created) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (study_id, config_hash) DO NOTHING RETURNING id",
      Params::of(study_id, to_string(trial.kind), trial.config, trial.config_hash, trial.parent_id, trial.seed, now));
  if (!inserted.empty()) return {inserted.int64(0, 0), true};
  return *find_added(study_id, trial);
}

std::optional<TrialRecord> SqlStorage::get_trial(std::int64_t trial_id) {
  const Rows found = session_->run(select_trials("WHERE id = $1"), Params::of(trial_id));
  if (found.empty()) return std::nullopt;
  return read_trial(found, 0);
}

std::vector<TrialRecord> SqlStorage::list_trials(const TrialFilter& filter) {
  return read_all(session_->run(select_trials("WHERE ($1 IS NULL OR study_id = $1) AND ($2 IS NULL OR status = $2) "
                                              "AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR parent_id = $4) "
                                              "ORDER BY id"),
                                Params::of(filter.study_id, name_or_null(filter.status), name_or_null(filter.kind),
                                           filter.parent_id)),
                  read_trial);
}

std::optional<TrialRecord> SqlStorage::find_done_trial(std::string_view config_hash) {
  const Rows found = session_->run(select_trials("WHERE config_hash = $1 AND status = 'done' ORDER BY id LIMIT 1"),
                                   Params::of(config_hash));
  if (found.empty()) return std::nullopt;
  return read_trial(found, 0);
}

StatusCounts SqlStorage::count_trials(std::optional<std::int64_t> study_id) {
  const Rows found = session_->run(
      "SELECT status, COUNT(*) FROM trials WHERE ($1 IS NULL OR study_id = $1) GROUP BY status", Params::of(study_id));
  StatusCounts counts;
  for (int row = 0; row < found.rows(); ++row) {
    const std::int64_t n = found.int64(row, 1);
    switch (parse_trial_status(found.text(row, 0))) {
      case TrialStatus::kPending: counts.pending = n; break;
      case TrialStatus::kRunning: counts.running = n; break;
      case TrialStatus::kDone: counts.done = n; break;
      case TrialStatus::kFailed: counts.failed = n; break;
    }
  }
  return counts;
}

// Keeps worker (the latest claimant) and attempts: attempts only grow, so a
// lease from before the reset can never match the trial again. Keeps curves (see
// Storage::reset_trial).
bool SqlStorage::reset_trial(std::int64_t trial_id) {
  Transaction transaction(*session_);
  const Rows reset = session_->run(
      "UPDATE trials SET status = 'pending', started = NULL, finished = NULL, heartbeat = NULL, error = NULL "
      "WHERE id = $1 RETURNING id",
      Params::of(trial_id));
  if (reset.empty()) return false;
  session_->run("DELETE FROM metrics WHERE trial_id = $1", Params::of(trial_id));
  transaction.commit();
  return true;
}

}  // namespace mose::db::sql

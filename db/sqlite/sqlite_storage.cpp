// SqliteStorage, part 1 of 3: opening the file, studies, adding and querying
// trials (see sqlite_storage.h for how the methods are split).
#include "db/sqlite/sqlite_storage.h"

#include "base/errors.h"
#include "base/log.h"
#include "db/sqlite/migrations.h"
#include "db/sqlite/rows.h"

namespace mose::db::sqlite {
namespace {

std::string select_trials(std::string_view where) {
  return "SELECT " + std::string(kTrialColumns) + " FROM trials " + std::string(where);
}

}  // namespace

SqliteStorage::SqliteStorage(const std::string& path, const StorageOptions& options)
    : connection_(path, options.busy_timeout_s), clock_(options.clock) {
  if (!clock_) reject("StorageOptions::clock is empty");
  configure();
  migrate(connection_, schema_migrations());
}

// Per-connection settings. WAL lets readers (the GUI) run beside the one
// writer; synchronous=NORMAL is WAL's recommended pairing: a commit survives a
// killed process, and a power cut can lose only the last few commits, never
// corrupt the file.
void SqliteStorage::configure() {
  const std::string mode = connection_.set_journal_mode("WAL");
  if (mode != "wal") {
    log::warn("{}: SQLite refused WAL mode (journal mode is '{}'); concurrent workers will wait more",
              connection_.path(), mode);
  }
  connection_.exec("PRAGMA synchronous = NORMAL");
  connection_.exec("PRAGMA foreign_keys = ON");
  Statement foreign_keys = connection_.prepare("PRAGMA foreign_keys");
  if (!foreign_keys.step() || foreign_keys.column_int64(0) != 1) {
    reject("this SQLite library cannot enforce foreign keys");
  }
}

std::string SqliteStorage::describe() const { return "sqlite:" + connection_.path(); }

void SqliteStorage::reject(const std::string& what) const { throw DbError(connection_.path() + ": " + what); }

// ---------------------------------------------------------------- studies

StudyRecord SqliteStorage::create_or_get_study(const NewStudy& study) {
  if (study.name.empty()) reject("a study needs a non-empty name");
  Transaction transaction(connection_, Transaction::Mode::kWrite);
  connection_
      .prepare(
          "INSERT INTO studies (name, recipe_path, recipe_text, created) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (name) DO NOTHING")
      .bind_all(study.name, study.recipe_path, study.recipe_text, clock_())
      .run();
  std::optional<StudyRecord> stored = find_study(study.name);
  transaction.commit();
  return *stored;
}

std::optional<StudyRecord> SqliteStorage::find_study(std::string_view name) {
  Statement query = connection_.prepare("SELECT " + std::string(kStudyColumns) + " FROM studies WHERE name = ?1");
  query.bind_all(name);
  if (!query.step()) return std::nullopt;
  return read_study(query);
}

std::vector<StudyRecord> SqliteStorage::list_studies() {
  Statement query = connection_.prepare("SELECT " + std::string(kStudyColumns) + " FROM studies ORDER BY id");
  std::vector<StudyRecord> studies;
  while (query.step()) studies.push_back(read_study(query));
  return studies;
}

// ---------------------------------------------------------------- trials

std::vector<AddedTrial> SqliteStorage::add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) {
  Transaction transaction(connection_, Transaction::Mode::kWrite);
  if (!connection_.prepare("SELECT 1 FROM studies WHERE id = ?1").bind_all(study_id).step()) {
    reject("cannot add trials to study " + std::to_string(study_id) + ": no such study");
  }
  const double now = clock_();
  std::vector<AddedTrial> added;
  added.reserve(trials.size());
  for (const NewTrial& trial : trials) insert_trial_checked(study_id, trial, now, added);
  transaction.commit();
  return added;
}

// Looks the hash up before inserting rather than relying on the UNIQUE
// constraint, so a duplicate returns the existing id and a hash that stands
// for a different config is caught instead of silently merged.
void SqliteStorage::insert_trial_checked(std::int64_t study_id, const NewTrial& trial, double now,
                                         std::vector<AddedTrial>& added) {
  if (trial.config.empty() || trial.config_hash.empty()) {
    reject("study " + std::to_string(study_id) + ": a trial needs a config and a config hash (hash '" +
           trial.config_hash + "')");
  }
  Statement existing = connection_.prepare("SELECT id, config FROM trials WHERE study_id = ?1 AND config_hash = ?2");
  if (existing.bind_all(study_id, trial.config_hash).step()) {
    if (existing.column_text(1) != trial.config) {
      reject("study " + std::to_string(study_id) + ": config hash '" + trial.config_hash + "' of trial " +
             std::to_string(existing.column_int64(0)) + " already stands for a different config");
    }
    added.push_back({existing.column_int64(0), false});
    return;
  }
  if (trial.parent_id && !get_trial(*trial.parent_id)) {
    reject("trial with config hash '" + trial.config_hash + "' names parent trial " + std::to_string(*trial.parent_id) +
           ", which does not exist");
  }
  Statement insert = connection_.prepare(
      "INSERT INTO trials (study_id, kind, config, config_hash, parent_id, seed, created) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  insert.bind_all(study_id, to_string(trial.kind), trial.config, trial.config_hash, trial.parent_id, trial.seed, now);
  insert.step();
  added.push_back({insert.column_int64(0), true});
  insert.run();
}

std::optional<TrialRecord> SqliteStorage::get_trial(std::int64_t trial_id) {
  Statement query = connection_.prepare(select_trials("WHERE id = ?1"));
  if (!query.bind_all(trial_id).step()) return std::nullopt;
  return read_trial(query);
}

std::vector<TrialRecord> SqliteStorage::list_trials(const TrialFilter& filter) {
  Statement query = connection_.prepare(
      select_trials("WHERE (?1 IS NULL OR study_id = ?1) AND (?2 IS NULL OR status = ?2) "
                    "AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR parent_id = ?4) ORDER BY id"));
  query.bind_all(filter.study_id, name_or_null(filter.status), name_or_null(filter.kind), filter.parent_id);
  std::vector<TrialRecord> trials;
  while (query.step()) trials.push_back(read_trial(query));
  return trials;
}

std::optional<TrialRecord> SqliteStorage::find_done_trial(std::string_view config_hash) {
  Statement query =
      connection_.prepare(select_trials("WHERE config_hash = ?1 AND status = 'done' ORDER BY id LIMIT 1"));
  if (!query.bind_all(config_hash).step()) return std::nullopt;
  return read_trial(query);
}

StatusCounts SqliteStorage::count_trials(std::optional<std::int64_t> study_id) {
  Statement query =
      connection_.prepare("SELECT status, COUNT(*) FROM trials WHERE (?1 IS NULL OR study_id = ?1) GROUP BY status");
  query.bind_all(study_id);
  StatusCounts counts;
  while (query.step()) {
    const std::int64_t n = query.column_int64(1);
    switch (parse_trial_status(query.column_text(0))) {
      case TrialStatus::kPending: counts.pending = n; break;
      case TrialStatus::kRunning: counts.running = n; break;
      case TrialStatus::kDone: counts.done = n; break;
      case TrialStatus::kFailed: counts.failed = n; break;
    }
  }
  return counts;
}

// Keeps worker (the latest claimant) and attempts: attempts only grow, so a
// lease from before the reset can never match the trial again.
bool SqliteStorage::reset_trial(std::int64_t trial_id) {
  Transaction transaction(connection_, Transaction::Mode::kWrite);
  connection_
      .prepare(
          "UPDATE trials SET status = 'pending', started = NULL, finished = NULL, heartbeat = NULL, "
          "error = NULL WHERE id = ?1")
      .bind_all(trial_id)
      .run();
  if (connection_.changes() == 0) return false;
  connection_.prepare("DELETE FROM metrics WHERE trial_id = ?1").bind_all(trial_id).run();
  connection_.prepare("DELETE FROM curves WHERE trial_id = ?1").bind_all(trial_id).run();
  transaction.commit();
  return true;
}

}  // namespace mose::db::sqlite

// PostgresStorage, part 1 of 4: connecting, studies, adding and querying
// trials (see postgres_storage.h for how the methods are split).
#include "db/postgres/postgres_storage.h"

#include "base/errors.h"
#include "db/postgres/migrations.h"
#include "db/postgres/rows.h"

namespace mose::db::postgres {
namespace {

std::string select_trials(std::string_view where) {
  return "SELECT " + std::string(kTrialColumns) + " FROM trials " + std::string(where);
}

}  // namespace

PostgresStorage::PostgresStorage(const std::string& url, const StorageOptions& options)
    : connection_(url, options.busy_timeout_s), clock_(options.clock) {
  if (!clock_) reject("StorageOptions::clock is empty");
  migrate(connection_);
}

std::string PostgresStorage::describe() const { return connection_.describe(); }

void PostgresStorage::reject(const std::string& what) const { throw DbError(connection_.describe() + ": " + what); }

// ---------------------------------------------------------------- studies

// ON CONFLICT DO NOTHING waits for a concurrent insert of the same name to
// commit, so the SELECT after it always finds the one stored study.
StudyRecord PostgresStorage::create_or_get_study(const NewStudy& study) {
  if (study.name.empty()) reject("a study needs a non-empty name");
  connection_.exec(
      "INSERT INTO studies (name, recipe_path, recipe_text, created) VALUES ($1, $2, $3, $4::float8) "
      "ON CONFLICT (name) DO NOTHING",
      Params::of(study.name, study.recipe_path, study.recipe_text, clock_()));
  return *find_study(study.name);
}

std::optional<StudyRecord> PostgresStorage::find_study(std::string_view name) {
  const Result found =
      connection_.exec("SELECT " + std::string(kStudyColumns) + " FROM studies WHERE name = $1", Params::of(name));
  if (found.rows() == 0) return std::nullopt;
  return read_study(found, 0);
}

std::vector<StudyRecord> PostgresStorage::list_studies() {
  const Result found = connection_.exec("SELECT " + std::string(kStudyColumns) + " FROM studies ORDER BY id");
  std::vector<StudyRecord> studies;
  for (int row = 0; row < found.rows(); ++row) studies.push_back(read_study(found, row));
  return studies;
}

// ---------------------------------------------------------------- trials

std::vector<AddedTrial> PostgresStorage::add_trials(std::int64_t study_id, const std::vector<NewTrial>& trials) {
  Transaction transaction(connection_);
  if (connection_.exec("SELECT 1 FROM studies WHERE id = $1::bigint", Params::of(study_id)).rows() == 0) {
    reject("cannot add trials to study " + std::to_string(study_id) + ": no such study");
  }
  const double now = clock_();
  std::vector<AddedTrial> added;
  added.reserve(trials.size());
  for (const NewTrial& trial : trials) insert_trial_checked(study_id, trial, now, added);
  transaction.commit();
  return added;
}

// INSERT ... ON CONFLICT DO NOTHING rather than look-up-then-insert: another
// process adding the same trial at once makes this statement wait for its
// commit and then insert nothing, where a plain INSERT would fail on the
// unique key. The look-up after it then sees the committed row.
void PostgresStorage::insert_trial_checked(std::int64_t study_id, const NewTrial& trial, double now,
                                           std::vector<AddedTrial>& added) {
  if (trial.config.empty() || trial.config_hash.empty()) {
    reject("study " + std::to_string(study_id) + ": a trial needs a config and a config hash (hash '" +
           trial.config_hash + "')");
  }
  if (trial.parent_id && !get_trial(*trial.parent_id)) {
    reject("trial with config hash '" + trial.config_hash + "' names parent trial " + std::to_string(*trial.parent_id) +
           ", which does not exist");
  }
  const Result inserted = connection_.exec(
      "INSERT INTO trials (study_id, kind, config, config_hash, parent_id, seed, created) "
      "VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6::bigint, $7::float8) "
      "ON CONFLICT (study_id, config_hash) DO NOTHING RETURNING id",
      Params::of(study_id, to_string(trial.kind), trial.config, trial.config_hash, trial.parent_id, trial.seed, now));
  if (inserted.rows() == 1) {
    added.push_back({inserted.int64(0, 0), true});
    return;
  }
  const Result existing =
      connection_.exec("SELECT id, config FROM trials WHERE study_id = $1::bigint AND config_hash = $2",
                       Params::of(study_id, trial.config_hash));
  if (existing.text(0, 1) != trial.config) {
    reject("study " + std::to_string(study_id) + ": config hash '" + trial.config_hash + "' of trial " +
           std::to_string(existing.int64(0, 0)) + " already stands for a different config");
  }
  added.push_back({existing.int64(0, 0), false});
}

std::optional<TrialRecord> PostgresStorage::get_trial(std::int64_t trial_id) {
  const Result found = connection_.exec(select_trials("WHERE id = $1::bigint"), Params::of(trial_id));
  if (found.rows() == 0) return std::nullopt;
  return read_trial(found, 0);
}

std::vector<TrialRecord> PostgresStorage::list_trials(const TrialFilter& filter) {
  return read_trials(connection_.exec(
      select_trials("WHERE ($1::bigint IS NULL OR study_id = $1::bigint) AND ($2::text IS NULL OR status = $2::text) "
                    "AND ($3::text IS NULL OR kind = $3::text) AND ($4::bigint IS NULL OR parent_id = $4::bigint) "
                    "ORDER BY id"),
      Params::of(filter.study_id, name_or_null(filter.status), name_or_null(filter.kind), filter.parent_id)));
}

std::optional<TrialRecord> PostgresStorage::find_done_trial(std::string_view config_hash) {
  const Result found = connection_.exec(select_trials("WHERE config_hash = $1 AND status = 'done' ORDER BY id LIMIT 1"),
                                        Params::of(config_hash));
  if (found.rows() == 0) return std::nullopt;
  return read_trial(found, 0);
}

StatusCounts PostgresStorage::count_trials(std::optional<std::int64_t> study_id) {
  const Result found = connection_.exec(
      "SELECT status, COUNT(*) FROM trials WHERE ($1::bigint IS NULL OR study_id = $1::bigint) GROUP BY status",
      Params::of(study_id));
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

// Keeps worker and attempts, as SQLite's: attempts only grow, so a lease from
// before the reset can never match the trial again.
bool PostgresStorage::reset_trial(std::int64_t trial_id) {
  Transaction transaction(connection_);
  const Result reset = connection_.exec(
      "UPDATE trials SET status = 'pending', started = NULL, finished = NULL, heartbeat = NULL, error = NULL "
      "WHERE id = $1::bigint",
      Params::of(trial_id));
  if (reset.affected() == 0) return false;
  connection_.exec("DELETE FROM metrics WHERE trial_id = $1::bigint", Params::of(trial_id));
  connection_.exec("DELETE FROM curves WHERE trial_id = $1::bigint", Params::of(trial_id));
  transaction.commit();
  return true;
}

}  // namespace mose::db::postgres

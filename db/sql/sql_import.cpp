// SqlStorage, part 4 of 4: writing a whole study copied from another store
// (db/study_copy.h) in one write transaction. The dialect's lock_for_import
// keeps the ids the import finds free from being taken before it commits (in
// SQLite, BEGIN IMMEDIATE already does).
#include "base/errors.h"
#include "db/sql/sql_storage.h"
#include "db/sql/sql_text.h"

namespace mose::db::sql {
namespace {

// Empty worker and error texts are stored as NULL, as a trial that never ran has them.
std::optional<std::string> null_if_empty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

std::vector<std::int64_t> trial_ids(const StudySnapshot& snapshot) {
  std::vector<std::int64_t> ids;
  ids.reserve(snapshot.trials.size());
  for (const TrialSnapshot& trial : snapshot.trials) ids.push_back(trial.trial.id);
  return ids;
}

}  // namespace

bool SqlStorage::ids_free(const StudySnapshot& snapshot) {
  const Rows taken =
      session_->run("SELECT (SELECT COUNT(*) FROM trials WHERE id IN (" + std::string(dialect().ids_from_json) +
                        ")) + (SELECT COUNT(*) FROM studies WHERE id = $2)",
                    Params::of(json_id_array(trial_ids(snapshot)), snapshot.study.id));
  return taken.int64(0, 0) == 0;
}

ImportedStudy SqlStorage::import_study(const StudySnapshot& snapshot) {
  const StudyRecord& study = snapshot.study;
  if (study.name.empty()) reject("cannot import a study without a name");
  Transaction transaction(*session_);
  if (!dialect().lock_for_import.empty()) session_->run(dialect().lock_for_import);
  if (find_study(study.name)) {
    reject("study '" + study.name + "' exists already; remove it or copy into another " +
           std::string(dialect().store_noun) + " (no merging)");
  }
  ImportedStudy imported{.ids_kept = ids_free(snapshot)};
  const Rows inserted =
      session_->run("INSERT INTO studies (id, name, recipe_path, recipe_text, created) VALUES (COALESCE($1, " +
                        std::string(dialect().next_study_id) + "), $2, $3, $4, $5) RETURNING id",
                    Params::of(imported.ids_kept ? std::optional(study.id) : std::nullopt, study.name,
                               study.recipe_path, study.recipe_text, study.created));
  const std::int64_t study_id = inserted.int64(0, 0);
  import_trials_in_order(snapshot, describe(), [&](const TrialSnapshot& trial, std::optional<std::int64_t> parent) {
    return import_trial(study_id, trial, parent, imported.ids_kept);
  });
  if (imported.ids_kept && !dialect().sync_ids.empty()) session_->run(dialect().sync_ids);
  imported.study = *find_study(study.name);
  transaction.commit();
  return imported;
}

std::int64_t SqlStorage::import_trial(std::int64_t study_id, const TrialSnapshot& snapshot,
                                      std::optional<std::int64_t> parent_id, bool keep_id) {
  const TrialRecord& t = snapshot.trial;
  const Rows inserted = session_->run(
      "INSERT INTO trials (id, study_id, kind, status, config, config_hash, parent_id, seed, created, started, "
      "finished, worker, heartbeat, attempts, error) VALUES (COALESCE($1, " +
          std::string(dialect().next_trial_id) +
          "), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
      Params::of(keep_id ? std::optional(t.id) : std::nullopt, study_id, to_string(t.kind), to_string(t.status),
                 t.config, t.config_hash, parent_id, t.seed, t.created, t.started, t.finished, null_if_empty(t.worker),
                 t.heartbeat, t.attempts, null_if_empty(t.error)));
  const std::int64_t id = inserted.int64(0, 0);
  import_results(id, snapshot);
  return id;
}

void SqlStorage::import_results(std::int64_t trial_id, const TrialSnapshot& snapshot) {
  for (const Metric& m : snapshot.metrics) {
    session_->run("INSERT INTO metrics (trial_id, name, value) VALUES ($1, $2, $3)",
                  Params::of(trial_id, m.name, m.value));
  }
  for (const CurvePoint& p : snapshot.curves) {
    session_->run("INSERT INTO curves (trial_id, name, step, value) VALUES ($1, $2, $3, $4)",
                  Params::of(trial_id, p.name, p.step, p.value));
  }
  for (const ArtifactRecord& a : snapshot.artifacts) {
    session_->run(
        "INSERT INTO artifacts (trial_id, kind, path, checksum, bytes, created) VALUES ($1, $2, $3, $4, $5, $6)",
        Params::of(trial_id, a.kind, a.path, a.checksum, a.bytes, a.created));
  }
  for (const EnvironmentEntry& e : snapshot.environment) {
    session_->run("INSERT INTO environment (trial_id, key, value) VALUES ($1, $2, $3)",
                  Params::of(trial_id, e.key, e.value));
  }
}

}  // namespace mose::db::sql

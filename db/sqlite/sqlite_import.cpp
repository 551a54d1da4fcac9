// SqliteStorage, import (see sqlite_storage.h for how the methods are split):
// writing a whole study copied from another store
// (db/study_copy.h) in one BEGIN IMMEDIATE transaction, which also keeps the
// ids it finds free from being taken before it commits.
#include <map>

#include "base/errors.h"
#include "db/sqlite/sqlite_storage.h"

namespace mose::db::sqlite {
namespace {

std::optional<std::string> null_if_empty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

bool SqliteStorage::ids_free(const StudySnapshot& snapshot) {
  if (connection_.prepare("SELECT 1 FROM studies WHERE id = ?1").bind_all(snapshot.study.id).step()) return false;
  Statement taken = connection_.prepare("SELECT 1 FROM trials WHERE id = ?1");
  for (const TrialSnapshot& trial : snapshot.trials) {
    taken.reset();
    if (taken.bind_all(trial.trial.id).step()) return false;
  }
  return true;
}

ImportedStudy SqliteStorage::import_study(const StudySnapshot& snapshot) {
  const StudyRecord& study = snapshot.study;
  if (study.name.empty()) reject("cannot import a study without a name");
  Transaction transaction(connection_, Transaction::Mode::kWrite);
  if (find_study(study.name)) {
    reject("study '" + study.name + "' exists already; remove it or copy into another file (no merging)");
  }
  ImportedStudy imported{.ids_kept = ids_free(snapshot)};
  Statement insert = connection_.prepare(
      "INSERT INTO studies (id, name, recipe_path, recipe_text, created) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  insert.bind_all(imported.ids_kept ? std::optional(study.id) : std::nullopt, study.name, study.recipe_path,
                  study.recipe_text, study.created);
  insert.step();
  const std::int64_t study_id = insert.column_int64(0);
  insert.run();
  import_trials_in_order(snapshot, describe(), [&](const TrialSnapshot& trial, std::optional<std::int64_t> parent) {
    return import_trial(study_id, trial, parent, imported.ids_kept);
  });
  imported.study = *find_study(study.name);
  transaction.commit();
  return imported;
}

// A NULL id lets SQLite pick the next rowid.
std::int64_t SqliteStorage::import_trial(std::int64_t study_id, const TrialSnapshot& snapshot,
                                         std::optional<std::int64_t> parent_id, bool keep_id) {
  const TrialRecord& t = snapshot.trial;
  Statement insert = connection_.prepare(
      "INSERT INTO trials (id, study_id, kind, status, config, config_hash, parent_id, seed, created, started, "
      "finished, worker, heartbeat, attempts, error) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id");
  insert.bind_all(keep_id ? std::optional(t.id) : std::nullopt, study_id, to_string(t.kind), to_string(t.status),
                  t.config, t.config_hash, parent_id, t.seed, t.created, t.started, t.finished, null_if_empty(t.worker),
                  t.heartbeat, t.attempts, null_if_empty(t.error));
  insert.step();
  const std::int64_t id = insert.column_int64(0);
  insert.run();
  Statement metric = connection_.prepare("INSERT INTO metrics (trial_id, name, value) VALUES (?1, ?2, ?3)");
  for (const Metric& m : snapshot.metrics) {
    metric.reset();
    metric.bind_all(id, m.name, m.value).run();
  }
  Statement point = connection_.prepare("INSERT INTO curves (trial_id, name, step, value) VALUES (?1, ?2, ?3, ?4)");
  for (const CurvePoint& p : snapshot.curves) {
    point.reset();
    point.bind_all(id, p.name, p.step, p.value).run();
  }
  Statement artifact = connection_.prepare(
      "INSERT INTO artifacts (trial_id, kind, path, checksum, bytes, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (const ArtifactRecord& a : snapshot.artifacts) {
    artifact.reset();
    artifact.bind_all(id, a.kind, a.path, a.checksum, a.bytes, a.created).run();
  }
  Statement entry = connection_.prepare("INSERT INTO environment (trial_id, key, value) VALUES (?1, ?2, ?3)");
  for (const EnvironmentEntry& e : snapshot.environment) {
    entry.reset();
    entry.bind_all(id, e.key, e.value).run();
  }
  return id;
}

}  // namespace mose::db::sqlite

// PostgresStorage, part 4 of 4: writing a whole study copied from another
// store (db/study_copy.h), in one transaction. The tables are locked against
// other writers while it runs, so the ids it finds free stay free.
#include <map>

#include "base/errors.h"
#include "db/postgres/postgres_storage.h"

namespace mose::db::postgres {
namespace {

std::optional<std::string> null_if_empty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

std::string id_array(const StudySnapshot& snapshot) {
  std::string out = "{";
  for (const TrialSnapshot& t : snapshot.trials) out += (out.size() > 1 ? "," : "") + std::to_string(t.trial.id);
  return out + "}";
}

}  // namespace

bool PostgresStorage::ids_free(const StudySnapshot& snapshot) {
  const Result taken = connection_.exec(
      "SELECT (SELECT COUNT(*) FROM studies WHERE id = $1::bigint) + "
      "(SELECT COUNT(*) FROM trials WHERE id = ANY($2::bigint[]))",
      Params::of(snapshot.study.id, id_array(snapshot)));
  return taken.int64(0, 0) == 0;
}

ImportedStudy PostgresStorage::import_study(const StudySnapshot& snapshot) {
  const StudyRecord& study = snapshot.study;
  if (study.name.empty()) reject("cannot import a study without a name");
  Transaction transaction(connection_);
  connection_.exec("LOCK TABLE studies, trials IN EXCLUSIVE MODE");
  if (find_study(study.name)) {
    reject("study '" + study.name + "' exists already; remove it or copy into another database (no merging)");
  }
  ImportedStudy imported{.ids_kept = ids_free(snapshot)};
  const Result inserted = connection_.exec(
      "INSERT INTO studies (id, name, recipe_path, recipe_text, created) "
      "VALUES (COALESCE($1::bigint, nextval(pg_get_serial_sequence('studies', 'id'))), $2, $3, $4, $5::float8) "
      "RETURNING id",
      Params::of(imported.ids_kept ? std::optional(study.id) : std::nullopt, study.name, study.recipe_path,
                 study.recipe_text, study.created));
  const std::int64_t study_id = inserted.int64(0, 0);
  import_trials_in_order(snapshot, describe(), [&](const TrialSnapshot& trial, std::optional<std::int64_t> parent) {
    return import_trial(study_id, trial, parent, imported.ids_kept);
  });
  if (imported.ids_kept) {
    // Explicit ids do not advance the identity sequences; later inserts must not reuse them.
    for (const char* table : {"studies", "trials"}) {
      connection_.exec(
          "SELECT setval(pg_get_serial_sequence($1, 'id'), "
          "GREATEST((SELECT MAX(id) FROM " +
              std::string(table) + "), 1))",
          Params::of(table));
    }
  }
  imported.study = *find_study(study.name);
  transaction.commit();
  return imported;
}

std::int64_t PostgresStorage::import_trial(std::int64_t study_id, const TrialSnapshot& snapshot,
                                           std::optional<std::int64_t> parent_id, bool keep_id) {
  const TrialRecord& t = snapshot.trial;
  const Result inserted = connection_.exec(
      "INSERT INTO trials (id, study_id, kind, status, config, config_hash, parent_id, seed, created, started, "
      "finished, worker, heartbeat, attempts, error) VALUES (COALESCE($1::bigint, "
      "nextval(pg_get_serial_sequence('trials', 'id'))), $2::bigint, $3, $4, $5, $6, $7::bigint, $8::bigint, "
      "$9::float8, $10::float8, $11::float8, $12, $13::float8, $14::bigint, $15) RETURNING id",
      Params::of(keep_id ? std::optional(t.id) : std::nullopt, study_id, to_string(t.kind), to_string(t.status),
                 t.config, t.config_hash, parent_id, t.seed, t.created, t.started, t.finished, null_if_empty(t.worker),
                 t.heartbeat, t.attempts, null_if_empty(t.error)));
  const std::int64_t id = inserted.int64(0, 0);
  for (const Metric& m : snapshot.metrics) {
    connection_.exec("INSERT INTO metrics (trial_id, name, value) VALUES ($1::bigint, $2, $3::float8)",
                     Params::of(id, m.name, m.value));
  }
  for (const CurvePoint& p : snapshot.curves) {
    connection_.exec("INSERT INTO curves (trial_id, name, step, value) VALUES ($1::bigint, $2, $3::bigint, $4::float8)",
                     Params::of(id, p.name, p.step, p.value));
  }
  for (const ArtifactRecord& a : snapshot.artifacts) {
    connection_.exec(
        "INSERT INTO artifacts (trial_id, kind, path, checksum, bytes, created) "
        "VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6::float8)",
        Params::of(id, a.kind, a.path, a.checksum, a.bytes, a.created));
  }
  for (const EnvironmentEntry& e : snapshot.environment) {
    connection_.exec("INSERT INTO environment (trial_id, key, value) VALUES ($1::bigint, $2, $3)",
                     Params::of(id, e.key, e.value));
  }
  return id;
}

}  // namespace mose::db::postgres

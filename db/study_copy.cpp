#include "db/study_copy.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "base/errors.h"

namespace mose::db {
namespace {

// Exact equality of stored doubles, except that every NaN equals every other
// and -0.0 equals 0.0: SQLite keeps NaN as NULL and stores whole-number REALs
// as integers, so neither NaN payloads nor the sign of zero survive it.
bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b;
}

bool same(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return same(*a, *b);
}

std::string show(double v) { return fmt::format("{}", v); }
std::string show(const std::optional<double>& v) { return v ? show(*v) : "NULL"; }
std::string show(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "NULL"; }

// Accumulates the first difference found, as "<where>: <field> <a> != <b>".
class Differ {
 public:
  template <typename T>
  void text(const std::string& where, const char* field, const T& a, const T& b) {
    if (!found_ && a != b) found_ = fmt::format("{}: {} '{}' != '{}'", where, field, a, b);
  }
  template <typename T>
  void real(const std::string& where, const char* field, const T& a, const T& b) {
    if (!found_ && !same(a, b)) found_ = fmt::format("{}: {} {} != {}", where, field, show(a), show(b));
  }
  void note(std::string message) {
    if (!found_) found_ = std::move(message);
  }
  const std::optional<std::string>& found() const { return found_; }

 private:
  std::optional<std::string> found_;
};

void compare_trial(Differ& d, const TrialRecord& a, const TrialRecord& b,
                   const std::map<std::int64_t, std::int64_t>& id_map) {
  const std::string where = fmt::format("trial {}", a.id);
  const auto mapped = [&](const std::optional<std::int64_t>& id) -> std::optional<std::int64_t> {
    if (!id) return std::nullopt;
    const auto it = id_map.find(*id);
    return it == id_map.end() ? std::optional<std::int64_t>(-1) : it->second;
  };
  if (mapped(a.id) != b.id) d.note(fmt::format("{}: copied as trial {}, expected {}", where, b.id, show(mapped(a.id))));
  if (mapped(a.parent_id) != b.parent_id) {
    d.note(fmt::format("{}: parent {} != {}", where, show(mapped(a.parent_id)), show(b.parent_id)));
  }
  d.text(where, "kind", to_string(a.kind), to_string(b.kind));
  d.text(where, "status", to_string(a.status), to_string(b.status));
  d.text(where, "config", a.config, b.config);
  d.text(where, "config hash", a.config_hash, b.config_hash);
  d.text(where, "seed", a.seed, b.seed);
  d.real(where, "created", a.created, b.created);
  d.real(where, "started", a.started, b.started);
  d.real(where, "finished", a.finished, b.finished);
  d.real(where, "heartbeat", a.heartbeat, b.heartbeat);
  d.text(where, "worker", a.worker, b.worker);
  d.text(where, "attempts", a.attempts, b.attempts);
  d.text(where, "error", a.error, b.error);
}

void compare_results(Differ& d, const TrialSnapshot& a, const TrialSnapshot& b) {
  const std::string where = fmt::format("trial {}", a.trial.id);
  if (a.metrics.size() != b.metrics.size() || a.curves.size() != b.curves.size() ||
      a.artifacts.size() != b.artifacts.size() || a.environment.size() != b.environment.size()) {
    d.note(fmt::format("{}: {}/{}/{}/{} metrics/curve points/artifacts/environment entries, copy has {}/{}/{}/{}",
                       where, a.metrics.size(), a.curves.size(), a.artifacts.size(), a.environment.size(),
                       b.metrics.size(), b.curves.size(), b.artifacts.size(), b.environment.size()));
    return;
  }
  for (std::size_t i = 0; i < a.metrics.size(); ++i) {
    d.text(where, "metric name", a.metrics[i].name, b.metrics[i].name);
    d.real(where + " metric " + a.metrics[i].name, "value", a.metrics[i].value, b.metrics[i].value);
  }
  for (std::size_t i = 0; i < a.curves.size(); ++i) {
    const std::string point = fmt::format("{} curve {} step {}", where, a.curves[i].name, a.curves[i].step);
    d.text(point, "name", a.curves[i].name, b.curves[i].name);
    d.text(point, "step", a.curves[i].step, b.curves[i].step);
    d.real(point, "value", a.curves[i].value, b.curves[i].value);
  }
  for (std::size_t i = 0; i < a.artifacts.size(); ++i) {
    const ArtifactRecord& x = a.artifacts[i];
    const ArtifactRecord& y = b.artifacts[i];
    const std::string artifact = where + " artifact " + x.path;
    d.text(artifact, "kind", x.kind, y.kind);
    d.text(artifact, "path", x.path, y.path);
    d.text(artifact, "checksum", x.checksum, y.checksum);
    d.text(artifact, "bytes", x.bytes, y.bytes);
    d.real(artifact, "created", x.created, y.created);
  }
  for (std::size_t i = 0; i < a.environment.size(); ++i) {
    d.text(where, "environment key", a.environment[i].key, b.environment[i].key);
    d.text(where + " environment " + a.environment[i].key, "value", a.environment[i].value, b.environment[i].value);
  }
}

}  // namespace

StudySnapshot read_study_snapshot(Storage& storage, std::string_view name) {
  const std::optional<StudyRecord> study = storage.find_study(name);
  if (!study) throw DbError(fmt::format("{}: no study named '{}'", storage.describe(), name));
  StudySnapshot snapshot{.study = *study};
  const std::vector<TrialRecord> trials = storage.list_trials({.study_id = study->id});
  std::vector<std::int64_t> ids;
  for (const TrialRecord& trial : trials) ids.push_back(trial.id);
  std::map<std::int64_t, std::vector<Metric>> metrics;
  for (const MetricRecord& m : storage.get_metrics(ids)) metrics[m.trial_id].push_back({m.name, m.value});
  for (const TrialRecord& trial : trials) {
    snapshot.trials.push_back({.trial = trial,
                               .metrics = metrics[trial.id],
                               .curves = storage.get_curves(trial.id),
                               .artifacts = storage.get_artifacts(trial.id),
                               .environment = storage.get_environment(trial.id)});
  }
  return snapshot;
}

std::optional<std::string> snapshot_difference(const StudySnapshot& original, const StudySnapshot& copy,
                                               bool compare_ids) {
  Differ d;
  const StudyRecord& a = original.study;
  const StudyRecord& b = copy.study;
  if (compare_ids) d.text("study", "id", a.id, b.id);
  d.text("study", "name", a.name, b.name);
  d.text("study", "recipe path", a.recipe_path, b.recipe_path);
  d.text("study", "recipe text", a.recipe_text, b.recipe_text);
  d.real("study", "created", a.created, b.created);
  if (original.trials.size() != copy.trials.size()) {
    d.note(fmt::format("study: {} trials, copy has {}", original.trials.size(), copy.trials.size()));
    return d.found();
  }
  std::map<std::int64_t, std::int64_t> id_map;
  for (std::size_t i = 0; i < original.trials.size(); ++i) {
    id_map[original.trials[i].trial.id] = compare_ids ? original.trials[i].trial.id : copy.trials[i].trial.id;
  }
  for (std::size_t i = 0; i < original.trials.size() && !d.found(); ++i) {
    compare_trial(d, original.trials[i].trial, copy.trials[i].trial, id_map);
    compare_results(d, original.trials[i], copy.trials[i]);
  }
  return d.found();
}

CopyReport copy_study(Storage& from, Storage& to, std::string_view name) {
  const StudySnapshot original = read_study_snapshot(from, name);
  CopyReport report{.imported = to.import_study(original)};
  const StudySnapshot copy = read_study_snapshot(to, name);
  if (const auto difference = snapshot_difference(original, copy, report.imported.ids_kept)) {
    throw DbError(fmt::format("copying study '{}' from {} to {}: the copy differs: {}", name, from.describe(),
                              to.describe(), *difference));
  }
  for (const TrialSnapshot& trial : original.trials) {
    ++report.trials;
    report.metrics += static_cast<std::int64_t>(trial.metrics.size());
    report.curve_points += static_cast<std::int64_t>(trial.curves.size());
    report.artifacts += static_cast<std::int64_t>(trial.artifacts.size());
    report.environment_entries += static_cast<std::int64_t>(trial.environment.size());
  }
  return report;
}

}  // namespace mose::db

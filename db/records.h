// Plain records exchanged with a Storage backend. They carry no behaviour and
// no backend types, so the study layer, the GUI and every backend (SQLite now,
// PostgreSQL later) share them. Timestamps are UTC unix seconds (db/clock.h);
// a trial's config is canonical JSON text produced by the study layer, and its
// config_hash is that layer's hash of the text: the database compares hashes,
// it never parses the JSON. Every member has a default so that partial
// designated initializers ({.study_id = 3}) compile without warnings.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mose::db {

enum class TrialKind { kTrain, kEval };

// pending -> running -> done | failed. A running trial whose worker stops
// heartbeating goes back to running under a new worker (attempt + 1); a user
// reset sends any trial back to pending.
enum class TrialStatus { kPending, kRunning, kDone, kFailed };

// The result of a write made on behalf of a worker: kLost means the worker no
// longer holds the trial (it was reclaimed, reset or already finished), the
// write was not applied and the worker should stop working on it.
enum class LeaseState { kHeld, kLost };

// Names as stored in the database ("train", "pending", ...).
std::string_view to_string(TrialKind kind);
std::string_view to_string(TrialStatus status);
std::string_view to_string(LeaseState state);

// The stored name, or nullopt for an unset filter field (a SQL NULL parameter).
std::optional<std::string_view> name_or_null(const std::optional<TrialStatus>& status);
std::optional<std::string_view> name_or_null(const std::optional<TrialKind>& kind);

// Parse stored names; throw DbError naming the value and the accepted names.
TrialKind parse_trial_kind(std::string_view name);
TrialStatus parse_trial_status(std::string_view name);

struct NewStudy {
  std::string name{};         // unique in the database
  std::string recipe_path{};  // where the recipe was read from, for people
  std::string recipe_text{};  // the recipe itself, so the study can be re-read
};

struct StudyRecord {
  std::int64_t id = 0;
  std::string name{};
  std::string recipe_path{};
  std::string recipe_text{};
  double created = 0.0;
};

struct NewTrial {
  TrialKind kind = TrialKind::kTrain;
  std::string config{};                     // canonical JSON
  std::string config_hash{};                // identity of the trial within its study
  std::optional<std::int64_t> parent_id{};  // eval trials: the training trial they read
  std::int64_t seed = 0;
};

// A trial stored under an identity that the current one replaces: the trial with
// old_hash takes new_hash and new_config, and its artifacts' paths that name old_hash
// name new_hash.
struct TrialRekey {
  std::string old_hash{};
  std::string new_hash{};
  std::string new_config{};  // canonical JSON
};

struct AddedTrial {
  std::int64_t id = 0;
  bool inserted = false;  // false: the study already held this config hash
};

struct TrialRecord {
  std::int64_t id = 0;
  std::int64_t study_id = 0;
  TrialKind kind = TrialKind::kTrain;
  TrialStatus status = TrialStatus::kPending;
  std::string config{};
  std::string config_hash{};
  std::optional<std::int64_t> parent_id{};
  std::int64_t seed = 0;
  double created = 0.0;
  std::optional<double> started{};    // start of the latest attempt
  std::optional<double> finished{};   // when it became done or failed
  std::optional<double> heartbeat{};  // last sign of life from `worker`
  std::string worker{};               // latest claimant; empty if never claimed
  std::int64_t attempts = 0;          // claims so far, reclaims included
  std::string error{};                // why it failed; empty otherwise
};

// What a worker holds while it runs a trial. Every write a worker makes names
// its lease; the backend applies it only while the trial is still running
// under this exact worker and attempt, so a worker presumed dead cannot
// overwrite the results of the worker that took its trial over.
struct Lease {
  std::int64_t trial_id = 0;
  std::string worker{};
  std::int64_t attempt = 0;
};

struct ClaimRequest {
  std::string worker{};  // unique per process, e.g. "host:pid:gpu0"
  // A running trial whose heartbeat is older than this is presumed abandoned.
  double heartbeat_timeout_s = 60.0;
  // An abandoned trial that already used this many attempts is marked failed
  // instead of being handed out again (it keeps killing its workers).
  std::int64_t max_attempts = 3;
  std::optional<std::int64_t> study_id{};  // only this study's trials
  std::optional<TrialKind> kind{};         // only trials of this kind
};

struct ClaimedTrial {
  TrialRecord trial{};  // as it is after the claim: running, attempts counted
  Lease lease{};
};

struct TrialFilter {
  std::optional<std::int64_t> study_id{};
  std::optional<TrialStatus> status{};
  std::optional<TrialKind> kind{};
  std::optional<std::int64_t> parent_id{};
};

struct StatusCounts {
  std::int64_t pending = 0;
  std::int64_t running = 0;
  std::int64_t done = 0;
  std::int64_t failed = 0;
  std::int64_t total() const { return pending + running + done + failed; }
};

// A final or intermediate scalar result. NaN is a legal value (a diverged
// run's loss) and reads back as NaN.
struct Metric {
  std::string name{};
  double value = 0.0;
};

struct MetricRecord {
  std::int64_t trial_id = 0;
  std::string name{};
  double value = 0.0;
};

// One point of a per-step training curve ("train_loss" at step 1200).
struct CurvePoint {
  std::string name{};
  std::int64_t step = 0;
  double value = 0.0;
};

struct Artifact {
  std::string kind{};      // "checkpoint", "log", ...
  std::string path{};      // as the study layer wrote it
  std::string checksum{};  // of the file's bytes, algorithm named by the caller
  std::int64_t bytes = 0;
};

struct ArtifactRecord {
  std::int64_t trial_id = 0;
  std::string kind{};
  std::string path{};
  std::string checksum{};
  std::int64_t bytes = 0;
  double created = 0.0;
};

// Where a trial ran: code version, compiler, torch, CUDA, GPU, host.
struct EnvironmentEntry {
  std::string key{};
  std::string value{};
};

// A study exactly as stored, for copying it between stores (db/study_copy.h):
// every trial with its status, attempts, timestamps and worker, and all its
// results. Trials are in id order, so a parent comes before its children.
struct TrialSnapshot {
  TrialRecord trial{};
  std::vector<Metric> metrics{};  // by name
  std::vector<CurvePoint> curves{};
  std::vector<ArtifactRecord> artifacts{};
  std::vector<EnvironmentEntry> environment{};
};

struct StudySnapshot {
  StudyRecord study{};
  std::vector<TrialSnapshot> trials{};
};

// Imports a snapshot's trials in id order through `import_one(trial, parent)`, where
// `parent` is the parent's id in the target store (ids may be renumbered) and
// import_one returns the trial's new id. Every backend's import_study shares this rule.
// Throws DbError naming `store` when a trial's parent is not an earlier trial.
using ImportTrial = std::function<std::int64_t(const TrialSnapshot& trial, std::optional<std::int64_t> parent)>;
void import_trials_in_order(const StudySnapshot& snapshot, const std::string& store, const ImportTrial& import_one);

struct ImportedStudy {
  StudyRecord study{};
  // True when the study and its trials kept their ids; false when the target
  // already used some of them, so new ids were given in the same order (parents
  // remapped), which changes nothing but the numbers.
  bool ids_kept = false;
};

}  // namespace mose::db

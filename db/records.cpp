#include "db/records.h"

#include <array>
#include <map>
#include <utility>

#include "base/errors.h"

namespace mose::db {
namespace {

constexpr std::array<std::pair<TrialKind, std::string_view>, 2> kKindNames{{
    {TrialKind::kTrain, "train"},
    {TrialKind::kEval, "eval"},
}};

constexpr std::array<std::pair<TrialStatus, std::string_view>, 4> kStatusNames{{
    {TrialStatus::kPending, "pending"},
    {TrialStatus::kRunning, "running"},
    {TrialStatus::kDone, "done"},
    {TrialStatus::kFailed, "failed"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "?";
}

template <typename Enum, std::size_t N>
Enum parse_name(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view name,
                std::string_view what) {
  std::string accepted;
  for (const auto& [value, candidate] : names) {
    if (candidate == name) return value;
    accepted += (accepted.empty() ? "" : ", ") + std::string(candidate);
  }
  throw DbError("unknown " + std::string(what) + " '" + std::string(name) + "' (expected one of: " + accepted + ")");
}

}  // namespace

std::string_view to_string(TrialKind kind) { return name_of(kKindNames, kind); }
std::string_view to_string(TrialStatus status) { return name_of(kStatusNames, status); }

std::string_view to_string(LeaseState state) { return state == LeaseState::kHeld ? "held" : "lost"; }

TrialKind parse_trial_kind(std::string_view name) { return parse_name(kKindNames, name, "trial kind"); }
TrialStatus parse_trial_status(std::string_view name) { return parse_name(kStatusNames, name, "trial status"); }

std::optional<std::string_view> name_or_null(const std::optional<TrialStatus>& status) {
  if (!status) return std::nullopt;
  return to_string(*status);
}

std::optional<std::string_view> name_or_null(const std::optional<TrialKind>& kind) {
  if (!kind) return std::nullopt;
  return to_string(*kind);
}

void import_trials_in_order(const StudySnapshot& snapshot, const std::string& store, const ImportTrial& import_one) {
  std::map<std::int64_t, std::int64_t> new_ids;
  for (const TrialSnapshot& trial : snapshot.trials) {
    std::optional<std::int64_t> parent;
    if (trial.trial.parent_id) {
      const auto it = new_ids.find(*trial.trial.parent_id);
      if (it == new_ids.end()) {
        throw DbError(store + ": cannot import trial " + std::to_string(trial.trial.id) + ": its parent trial " +
                      std::to_string(*trial.trial.parent_id) + " is not an earlier trial of study '" +
                      snapshot.study.name + "'");
      }
      parent = it->second;
    }
    new_ids[trial.trial.id] = import_one(trial, parent);
  }
}

}  // namespace mose::db

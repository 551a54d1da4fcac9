#include "db/records.h"

#include <array>
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

}  // namespace mose::db

#include "db/records.h"

#include <catch2/catch.hpp>

#include "base/errors.h"

using namespace mose::db;

TEST_CASE("trial kinds and statuses round-trip through their stored names", "[db][records]") {
  for (TrialKind kind : {TrialKind::kTrain, TrialKind::kEval}) {
    CHECK(parse_trial_kind(to_string(kind)) == kind);
  }
  for (TrialStatus status : {TrialStatus::kPending, TrialStatus::kRunning, TrialStatus::kDone, TrialStatus::kFailed}) {
    CHECK(parse_trial_status(to_string(status)) == status);
  }
  CHECK(to_string(TrialStatus::kDone) == "done");
  CHECK(to_string(TrialKind::kEval) == "eval");
  CHECK(to_string(LeaseState::kLost) == "lost");
}

TEST_CASE("an unknown stored name is a DbError naming it and the accepted names", "[db][records]") {
  CHECK_THROWS_MATCHES(parse_trial_status("finished"), mose::DbError,
                       Catch::Matchers::Message("unknown trial status 'finished' (expected one of: pending, running, "
                                                "done, failed)"));
  CHECK_THROWS_MATCHES(parse_trial_kind("Train"), mose::DbError,
                       Catch::Matchers::Message("unknown trial kind 'Train' (expected one of: train, eval)"));
}

TEST_CASE("status counts add up", "[db][records]") {
  StatusCounts counts{.pending = 1, .running = 2, .done = 3, .failed = 4};
  CHECK(counts.total() == 10);
}

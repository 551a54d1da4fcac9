// The background loader: publishes a snapshot of a study, picks up trials finished by
// another writer (live), reads a trial's records on request, waits for a store that
// does not exist yet without creating it, and never writes into a file that is no store.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "app/gui/view_model/study_loader.h"
#include "gui/gui_test_support.h"

namespace mose::app::gui::view_model {
namespace {

// Polls `done` every 10 ms for up to 20 s (the loader checks every 50 ms here).
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST_CASE("study loader: first snapshot, then new trials from another writer", "[gui][study_loader]") {
  const testing::FixtureStudy fixture = testing::make_fixture_study(testing::scratch_dir("loader_live"));
  StudyLoader loader({.url = fixture.db.string(), .poll_s = 0.05});
  REQUIRE(eventually([&] { return loader.snapshot() != nullptr; }));
  const auto first = loader.snapshot();
  REQUIRE(first->data.study.name == "gui-fixture");
  REQUIRE(first->evaluation.done == 56);
  REQUIRE(first->training.done == 8);
  REQUIRE(loader.error().empty());

  // Another process adds and finishes a trial (here: another connection).
  std::unique_ptr<db::Storage> writer = db::open_storage(fixture.db.string());
  const std::int64_t parent = first->data.trials.front().trial.id;
  const db::AddedTrial added = writer->add_trial(
      first->data.study.id, {.kind = db::TrialKind::kEval,
                             .config = R"({"policy":{"name":"uniform","width":0.125},"training":"x"})",
                             .config_hash = "live-trial",
                             .parent_id = parent});
  const auto claimed = writer->claim_next({.worker = "other", .study_id = first->data.study.id});
  REQUIRE(claimed);
  REQUIRE(claimed->trial.id == added.id);
  writer->finish(claimed->lease, {{"val_loss", 2.5}, {"flops_per_token", 1.1e6}});

  REQUIRE(eventually([&] { return loader.snapshot()->version > first->version; }));
  const auto second = loader.snapshot();
  REQUIRE(second->evaluation.done == 57);
  REQUIRE(second->data.find(added.id) != nullptr);
}

TEST_CASE("study loader: trial records on request, curves from the training trial", "[gui][study_loader]") {
  const testing::FixtureStudy fixture = testing::make_fixture_study(testing::scratch_dir("loader_records"));
  StudyLoader loader({.url = fixture.db.string(), .poll_s = 0.05});
  REQUIRE(eventually([&] { return loader.snapshot() != nullptr; }));
  const study::analysis::TrialRow* eval = nullptr;
  for (const study::analysis::TrialRow& row : loader.snapshot()->data.trials) {
    if (row.trial.kind == db::TrialKind::kEval) eval = &row;
  }
  REQUIRE(eval != nullptr);
  loader.request_records(eval->trial.id);
  REQUIRE(eventually([&] { return loader.records() && loader.records()->trial_id == eval->trial.id; }));
  const auto records = loader.records();
  REQUIRE(records->curves_trial == *eval->trial.parent_id);
  REQUIRE(records->curves.size() == 16);  // lm_loss and tokens at 8 steps
  REQUIRE(records->artifacts.size() == 1);
  REQUIRE(records->artifacts[0].kind == "checkpoint");
  REQUIRE(records->environment.size() == 1);
}

TEST_CASE("study loader: waits for a store that does not exist, never creating it", "[gui][study_loader]") {
  const std::filesystem::path db = testing::scratch_dir("loader_wait") / "later.db";
  StudyLoader loader({.url = db.string(), .poll_s = 0.05});
  REQUIRE(eventually([&] { return loader.status().starts_with("waiting for"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE_FALSE(std::filesystem::exists(db));
  REQUIRE(loader.snapshot() == nullptr);
}

TEST_CASE("study loader: a store with no study reports the error as data and keeps trying", "[gui][study_loader]") {
  const std::filesystem::path db = testing::scratch_dir("loader_empty") / "empty.db";
  db::open_storage(db.string());  // an empty, migrated store
  StudyLoader loader({.url = db.string(), .poll_s = 0.05});
  REQUIRE(eventually([&] { return !loader.error().empty(); }));
  REQUIRE_THAT(loader.error(), Catch::Contains("holds no study yet"));
}

TEST_CASE("study loader: an empty file is an error naming it, and stays empty", "[gui][study_loader]") {
  const std::filesystem::path db = testing::scratch_dir("loader_zero") / "zero.db";
  std::ofstream{db};
  StudyLoader loader({.url = db.string(), .poll_s = 0.05});
  REQUIRE(eventually([&] { return !loader.error().empty(); }));
  REQUIRE_THAT(loader.error(), Catch::Contains(db.string() + " is not a mose study store"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a few more tries
  REQUIRE(std::filesystem::file_size(db) == 0);
}

}  // namespace
}  // namespace mose::app::gui::view_model

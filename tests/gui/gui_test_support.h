// Shared by the view-model tests: a scratch folder per test and the fixture study read
// the way the loader reads it.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "app/gui/view_model/study_snapshot.h"
#include "gui/gui_fixture.h"

namespace mose::app::gui::testing {

inline std::filesystem::path scratch_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("mose_gui_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct LoadedFixture {
  FixtureStudy fixture;
  std::shared_ptr<const view_model::StudySnapshot> snapshot{};
};

inline LoadedFixture load_fixture(const std::string& name) {
  LoadedFixture loaded{.fixture = make_fixture_study(scratch_dir(name))};
  std::unique_ptr<db::Storage> storage = db::open_storage(loaded.fixture.db.string());
  const db::StudyRecord study = study::analysis::find_study(*storage, "");
  study::analysis::StudyData data = study::analysis::load_study_data(*storage, study, &loaded.fixture.plan);
  auto snapshot = std::make_shared<view_model::StudySnapshot>(view_model::make_snapshot(std::move(data), 0.0));
  snapshot->version = 1;
  loaded.snapshot = snapshot;
  return loaded;
}

}  // namespace mose::app::gui::testing

// Registering a recipe: the same recipe reached by a relative or an absolute path (its
// includes named accordingly) is the same recipe, not "another version" of it.
#include "study/runner/study_plan.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/log.h"
#include "db/storage.h"
#include "study/study_test_support.h"
#include "study/tiny_recipe.h"

namespace mose::study::runner {
namespace {

// Warnings logged while it lives.
class WarningCapture {
 public:
  WarningCapture()
      : previous_(log::set_sink([this](log::Level level, std::string_view message) {
          if (level == log::Level::kWarning) warnings_.emplace_back(message);
        })) {}
  ~WarningCapture() { log::set_sink(std::move(previous_)); }
  WarningCapture(const WarningCapture&) = delete;
  WarningCapture& operator=(const WarningCapture&) = delete;
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  log::Sink previous_;
  std::vector<std::string> warnings_;
};

// Runs with the working directory set to `dir`, as a user in that folder would.
class InDirectory {
 public:
  explicit InDirectory(const std::filesystem::path& dir) : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~InDirectory() { std::filesystem::current_path(previous_); }
  InDirectory(const InDirectory&) = delete;
  InDirectory& operator=(const InDirectory&) = delete;

 private:
  std::filesystem::path previous_;
};

}  // namespace

TEST_CASE("a recipe given by a relative or an absolute path is the same recipe", "[study][runner]") {
  testing::ScratchDir dir("recipe_paths");
  testing::write_recipe(
      dir.path(), testing::tiny_recipe_text("paths", dir.path(), 3, "[[policy]]\nname = \"uniform\"\nwidths = [1.0]\n"),
      "base.toml");
  std::filesystem::create_directories(dir.path() / "sub");
  testing::write_recipe(dir.path() / "sub", "include = [\"../base.toml\"]\n", "main.toml");
  const recipe::StudyPaths paths = recipe::study_paths("paths", dir.path() / "out", "");
  std::filesystem::create_directories(paths.out);
  const auto storage = db::open_storage(paths.storage_url);

  StudyPlan first;
  {
    const InDirectory here(dir.path());
    first = register_study(*storage, recipe::load_recipe("sub/main.toml"), paths);
  }
  CHECK(first.study.recipe_path == std::filesystem::canonical(dir.path() / "sub" / "main.toml").string());
  const WarningCapture captured;
  const StudyPlan again = register_study(*storage, recipe::load_recipe(dir.path() / "sub" / "main.toml"), paths);
  CHECK(again.study.id == first.study.id);
  CHECK(captured.warnings().empty());
  {
    const InDirectory here(dir.path() / "sub");
    register_study(*storage, recipe::load_recipe("../sub/./main.toml"), paths);
  }
  CHECK(captured.warnings().empty());

  // A real change is still reported.
  testing::write_recipe(dir.path() / "sub", "include = [\"../base.toml\"]\n[train]\nlog_every = 1\n", "main.toml");
  register_study(*storage, recipe::load_recipe(dir.path() / "sub" / "main.toml"), paths);
  REQUIRE(captured.warnings().size() == 1);
  CHECK_THAT(captured.warnings()[0], Catch::Matchers::Contains("created from another version of its recipe"));
}

}  // namespace mose::study::runner

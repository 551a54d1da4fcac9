// The recent-studies list: most recent first, cut to its length, and written so that
// only the user can read it (a PostgreSQL URL in it may carry its password).
#include "app/gui/view_model/recent_studies.h"

#include <catch2/catch.hpp>

#include "gui/gui_test_support.h"

namespace mose::app::gui::view_model {

TEST_CASE("recent studies: most recent first, and a file only its owner can read", "[gui][recent]") {
  const std::filesystem::path file = testing::scratch_dir("recent") / "mose" / "recent-studies";
  std::vector<std::string> list = with_recent({}, "a.db");
  list = with_recent(list, "postgresql://me:s3cret@db.lab/studies");
  list = with_recent(list, "a.db", 2);
  REQUIRE(list == std::vector<std::string>{"a.db", "postgresql://me:s3cret@db.lab/studies"});
  write_recent_studies(file, list);
  CHECK(read_recent_studies(file) == list);
  namespace fs = std::filesystem;
  CHECK((fs::status(file).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(read_recent_studies(file.parent_path() / "absent").empty());
}

}  // namespace mose::app::gui::view_model

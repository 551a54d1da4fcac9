// mose-gui in a real window under Xvfb (Mesa llvmpipe): --screenshot renders the
// fixture study to a PNG whose points are drawn in their series' colours, and a
// --script of UI actions (a filter, a hover, a click) changes the view-model as the
// dumps show. Needs xvfb-run (scripts/setup installs it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>

#include "app/gui/png_image.h"
#include "gui/gui_fixture.h"
#include "gui/window/gui_run.h"

namespace mose::app::gui::testing {
namespace {

std::filesystem::path scratch(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("mose_gui_window_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Is a pixel within `radius` of (x, y) in the colour (r, g, b), give or take the
// antialiasing of the marker's edge?
bool colour_near(const RgbaImage& image, const DumpedPoint& p, int radius) {
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      const int x = static_cast<int>(std::lround(p.x)) + dx, y = static_cast<int>(std::lround(p.y)) + dy;
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
      const RgbaImage::Rgb c = image.at(x, y);
      if (std::abs(c.r - p.r) <= 24 && std::abs(c.g - p.g) <= 24 && std::abs(c.b - p.b) <= 24) return true;
    }
  }
  return false;
}

void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

TEST_CASE("mose-gui --screenshot renders the study's points in their series colours", "[gui][window]") {
  const std::filesystem::path dir = scratch("screenshot");
  const FixtureStudy fixture = make_fixture_study(dir / "study");
  // Where every point is drawn and in which colour: a scripted run of the same layout.
  write_text(dir / "where.txt", "wait-loaded\nframes 3\ndump where.dump\n");
  const GuiResult where = run_gui({"--db", fixture.db.string(), "--size", "1280x800", "--script", "where.txt"}, dir);
  INFO(where.output);
  REQUIRE(where.code == 0);
  const Dump dump = read_dump(dir / "where.dump");
  REQUIRE(dump.facts.at("visible_points") == "56");
  REQUIRE(dump.points.size() == 56);

  const GuiResult shot = run_gui({"--db", fixture.db.string(), "--size", "1280x800", "--screenshot", "shot.png"}, dir);
  INFO(shot.output);
  REQUIRE(shot.code == 0);
  const RgbaImage image = read_png(dir / "shot.png");
  REQUIRE(image.width == 1280);
  REQUIRE(image.height == 800);
  std::set<std::tuple<int, int, int>> colours;
  std::size_t found = 0;
  for (const DumpedPoint& p : dump.points) {
    colours.insert({p.r, p.g, p.b});
    if (colour_near(image, p, 3)) ++found;
  }
  REQUIRE(colours.size() == 8);  // one per group
  // Every point shows its colour (a few may be covered by a later series' marker).
  REQUIRE(found >= dump.points.size() * 9 / 10);
  // And those colours are not everywhere: the top-left corner (the studies panel) has none.
  REQUIRE_FALSE(colour_near(
      image, DumpedPoint{.x = 20, .y = 20, .r = dump.points[0].r, .g = dump.points[0].g, .b = dump.points[0].b}, 3));
}

TEST_CASE("mose-gui --screenshot with one bad store among good ones fails that one and writes the image at once",
          "[gui][window]") {
  const std::filesystem::path dir = scratch("screenshot_bad");
  const FixtureStudy fixture = make_fixture_study(dir / "study");
  std::ofstream{dir / "empty.db"};  // a 0-byte file: not a study store
  const auto started = std::chrono::steady_clock::now();
  const GuiResult shot =
      run_gui({"--db", fixture.db.string(), "--db", "empty.db", "--size", "800x600", "--screenshot", "shot.png"}, dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(shot.output);
  CHECK(shot.code == 1);
  CHECK(seconds < 30);  // the screenshot timeout is 60 s
  REQUIRE(std::filesystem::exists(dir / "shot.png"));
  CHECK(read_png(dir / "shot.png").width == 800);
  CHECK_THAT(shot.output,
             Catch::Contains("[error] empty.db not loaded: database error: empty.db is not a mose study store"));
  // Only the failure is an error; the study that loaded is not reported at all.
  CHECK_THAT(shot.output, !Catch::Contains("live:") && !Catch::Contains(fixture.db.string() + " not loaded"));
  CHECK(std::filesystem::file_size(dir / "empty.db") == 0);
}

TEST_CASE("mose-gui --script: a filter, a hover and a click reach the view-model", "[gui][window]") {
  const std::filesystem::path dir = scratch("script");
  const FixtureStudy fixture = make_fixture_study(dir / "study");
  write_text(dir / "before.txt", "wait-loaded\nframes 2\ndump before.dump\n");
  REQUIRE(run_gui({"--db", fixture.db.string(), "--script", "before.txt"}, dir).code == 0);
  const Dump before = read_dump(dir / "before.dump");
  REQUIRE(before.facts.at("hovered") == "-");
  // A point drawn apart from every other (no neighbour within 2 pixels, so the hover
  // is not ambiguous) that the width filter below leaves visible: a ttt trial.
  std::int64_t target = 0;
  for (const DumpedPoint& p : before.points) {
    bool alone = true;
    for (const DumpedPoint& q : before.points) {
      if (q.id != p.id && std::hypot(q.x - p.x, q.y - p.y) < 2.0) alone = false;
    }
    const auto at = std::find(fixture.eval_ids.begin(), fixture.eval_ids.end(), p.id) - fixture.eval_ids.begin();
    if (alone && fixture.plan.evaluation[static_cast<std::size_t>(at)].policy.name == "ttt") target = p.id;
  }
  REQUIRE(target > 0);

  write_text(dir / "act.txt",
             "wait-loaded\n"
             "filter policy.width 0.25 off\n"
             "frames 2\n"
             "hover " +
                 std::to_string(target) +
                 "\n"
                 "dump hovered.dump\n"
                 "click\n"
                 "dump clicked.dump\n"
                 "screenshot clicked.png\n");
  const GuiResult act = run_gui({"--db", fixture.db.string(), "--script", "act.txt"}, dir);
  INFO(act.output);
  REQUIRE(act.code == 0);
  const Dump hovered = read_dump(dir / "hovered.dump");
  // 8 models x 1 width filtered out of 56 points.
  REQUIRE(hovered.facts.at("visible_points") == "48");
  REQUIRE(hovered.points.size() == 48);
  REQUIRE(std::find(hovered.lines.begin(), hovered.lines.end(), "facet policy.width 0.25 off 8") !=
          hovered.lines.end());
  REQUIRE(hovered.facts.at("hovered") == std::to_string(target));
  REQUIRE_FALSE(hovered.tooltip.empty());
  REQUIRE_THAT(hovered.tooltip.front(), Catch::StartsWith("#" + std::to_string(target) + " "));
  REQUIRE(hovered.facts.at("selected") == "-");
  const Dump clicked = read_dump(dir / "clicked.dump");
  REQUIRE(clicked.facts.at("selected") == std::to_string(target));
  REQUIRE(read_png(dir / "clicked.png").width == 1600);
}

TEST_CASE("mose-gui --script: an action that cannot apply fails with its line", "[gui][window]") {
  const std::filesystem::path dir = scratch("bad_script");
  const FixtureStudy fixture = make_fixture_study(dir / "study");
  write_text(dir / "bad.txt", "wait-loaded\nfilter policy nosuch off\n");
  const GuiResult run = run_gui({"--db", fixture.db.string(), "--script", "bad.txt"}, dir);
  REQUIRE(run.code == 1);
  REQUIRE_THAT(run.output, Catch::Contains("bad.txt:2: filter: no filter value policy = nosuch"));
}

}  // namespace
}  // namespace mose::app::gui::testing

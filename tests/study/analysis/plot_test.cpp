#include "study/analysis/plot.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "random_points.h"
#include "study/study_test_support.h"

namespace mose::study::analysis {
namespace {

std::vector<Frontier> small_study(Direction dir) {
  std::vector<ParetoPoint> points;
  std::mt19937_64 rng(11);
  // Awkward group names: mathtext dollar, legend-hiding underscore, UTF-8, pipes.
  for (const char* group : {"mose|topk|ttt", "dense", "a$b", "_hidden", "ünï"}) {
    auto members = testing::random_points(rng, 12, 0, group);
    if (dir == Direction::kMaximize) {
      for (auto& p : members) p.y /= 5.0;  // accuracies in [0.2, 1]
    }
    points.insert(points.end(), members.begin(), members.end());
  }
  return frontiers_by_group(points, dir);
}

std::string head(const std::filesystem::path& path, std::size_t n) { return read_file(path).substr(0, n); }

// Width and height from the PNG IHDR chunk (big-endian, bytes 16..23).
std::pair<std::uint32_t, std::uint32_t> png_size(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  REQUIRE(bytes.size() >= 24);
  auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("plot script: settings filled in as Python literals", "[study][plot]") {
  PlotSpec spec;
  spec.directory = "out";
  spec.title = "He said \"hi\" \\ {{not a placeholder}}\nsecond line";
  const std::string script = plot_script(spec, Direction::kMaximize);
  CHECK(script.find("TITLE = \"He said \\\"hi\\\" \\\\ {{not a placeholder}}\\nsecond line\"") != std::string::npos);
  CHECK(script.find("DATA = \"frontier.csv\"") != std::string::npos);
  CHECK(script.find("Y_DIRECTION = \"maximize\"") != std::string::npos);
  CHECK(script.find("python3 plot_frontier.py") != std::string::npos);
  CHECK(script.find("WIDTH_PX = 1600") != std::string::npos);
  const PlotFiles files = plot_files(spec);
  CHECK(files.script == std::filesystem::path("out/plot_frontier.py"));
  CHECK(files.png == std::filesystem::path("out/frontier.png"));
}

TEST_CASE("plot data CSV holds every point and round-trips", "[study][plot]") {
  testing::ScratchDir dir("plot_csv");
  const auto frontiers = small_study(Direction::kMinimize);
  PlotSpec spec;
  spec.directory = dir.path();
  const PlotFiles files = write_plot_sources(frontiers, spec);
  const CsvTable csv = read_csv(files.csv);
  CHECK(csv.columns == std::vector<std::string>{"group", "id", "flops_per_token", "val_loss", "on_frontier"});
  REQUIRE(csv.rows.size() == 5 * 12);
  std::size_t row = 0;
  for (const Frontier& f : frontiers) {
    for (const auto* list : {&f.frontier, &f.dominated}) {
      for (const ParetoPoint& p : *list) {
        CHECK(csv.rows[row][0] == p.group);
        CHECK(csv.rows[row][1] == p.id);
        CHECK(parse_csv_number(csv.rows[row][2], "x") == p.x);
        CHECK(parse_csv_number(csv.rows[row][3], "y") == p.y);
        CHECK(csv.rows[row][4] == (list == &f.frontier ? "true" : "false"));
        ++row;
      }
    }
  }
  CHECK(std::filesystem::exists(files.script));
  CHECK(!std::filesystem::exists(files.png));  // nothing ran
}

TEST_CASE("plot renders PDF, SVG and PNG of the requested size", "[study][plot][python]") {
  testing::ScratchDir dir("plot_render");
  PlotSpec spec;
  spec.directory = dir.path() / "figures";  // created on demand
  spec.title = "Frontier: \"quotes\", $\\alpha$ and ünïcode";
  spec.width_px = 641;
  spec.height_px = 431;  // 431 / 100 * 100 = 430.99999999999994: must not truncate to 430
  spec.dpi = 100;
  const PlotFiles files = plot_frontiers(small_study(Direction::kMinimize), spec);
  CHECK(head(files.pdf, 5) == "%PDF-");
  CHECK(head(files.png, 8) == "\x89PNG\r\n\x1a\n");
  CHECK(head(files.svg, 5) == "<?xml");
  CHECK(read_file(files.svg).find("<svg") != std::string::npos);
  CHECK(png_size(files.png) == std::pair<std::uint32_t, std::uint32_t>{641, 431});
}

TEST_CASE("plot failures name the script and show python's output", "[study][plot][python]") {
  testing::ScratchDir dir("plot_fail");
  PlotSpec spec;
  spec.directory = dir.path();
  const PlotFiles files = write_plot_sources(small_study(Direction::kMinimize), spec);

  SECTION("interpreter missing") {
    CHECK_THROWS_AS(render_plot(files, "/nonexistent/python3"), IoError);
    CHECK_THROWS_WITH(render_plot(files, "/nonexistent/python3"),
                      Catch::Contains(files.script.string()) && Catch::Contains("/nonexistent/python3"));
  }
  SECTION("matplotlib missing") {
    const auto fake = dir.path() / "python-without-matplotlib";
    write_file_atomically(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'matplotlib'\" >&2\nexit 1\n");
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    CHECK_THROWS_WITH(render_plot(files, fake.string()), Catch::Contains(files.script.string()) &&
                                                             Catch::Contains("install python3-matplotlib") &&
                                                             Catch::Contains("status 1"));
  }
  SECTION("script error") {
    write_file_atomically(files.script, "import sys\nsys.stderr.write('boom at line 2\\n')\nsys.exit(3)\n");
    CHECK_THROWS_AS(render_plot(files), Error);
    CHECK_THROWS_WITH(render_plot(files), Catch::Contains(files.script.string()) && Catch::Contains("status 3") &&
                                              Catch::Contains("boom at line 2"));
  }
  SECTION("script that writes nothing") {
    write_file_atomically(files.script, "print('did nothing')\n");
    CHECK_THROWS_WITH(render_plot(files), Catch::Contains("did not write") && Catch::Contains("frontier.pdf"));
  }
}

TEST_CASE("plot settings and inputs are validated", "[study][plot]") {
  const auto frontiers = small_study(Direction::kMinimize);
  PlotSpec spec;
  spec.directory = "unused";
  for (const char* stem : {"", "a/b", "has space"}) {
    spec.stem = stem;
    CHECK_THROWS_AS(plot_script(spec, Direction::kMinimize), ConfigError);
  }
  spec.stem = "ok";
  spec.x_column = "group";
  CHECK_THROWS_WITH(plot_script(spec, Direction::kMinimize), Catch::Contains("x_column"));
  spec.x_column = spec.y_column;
  CHECK_THROWS_WITH(plot_script(spec, Direction::kMinimize), Catch::Contains("must differ"));
  spec.x_column = "flops";
  spec.width_px = 0;
  CHECK_THROWS_WITH(plot_script(spec, Direction::kMinimize), Catch::Contains("width_px = 0"));
  spec.width_px = 100;
  CHECK_THROWS_AS(write_plot_sources({}, spec), DataError);
  auto mixed = frontiers;
  mixed[1].y_direction = Direction::kMaximize;
  CHECK_THROWS_WITH(write_plot_sources(mixed, spec), Catch::Contains("directions differ"));
}

}  // namespace mose::study::analysis

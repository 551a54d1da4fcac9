// The shipped task files (tasks/) are exactly what scripts/build-tasks builds from the
// Debian data, every time; and the GCIDE tasks' lines come from held-out text (the
// validation blocks of the corpus split the engine uses).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/data/corpus_split.h"
#include "core/data/data_config.h"
#include "core/data/text_source.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;

namespace {

const fs::path kSource = MOSE_SOURCE_DIR;
const char* const kTaskFiles[] = {"wordnet-gloss.jsonl", "gcide-cloze.jsonl", "gcide-lastword.txt"};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void build_tasks(const fs::path& out) {
  const std::string command =
      "python3 '" + (kSource / "scripts/build-tasks").string() + "' --out '" + out.string() + "'";
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
}

}  // namespace

TEST_CASE("scripts/build-tasks rebuilds the shipped tasks byte for byte", "[core][tasks]") {
  testing::TempDir dir;
  build_tasks(dir.path() / "a");
  build_tasks(dir.path() / "b");
  for (const char* name : kTaskFiles) {
    INFO(name);
    const std::string built = slurp(dir.path() / "a" / name);
    CHECK(built.size() > 1000);
    CHECK(built == slurp(dir.path() / "b" / name));
    CHECK(built == slurp(kSource / "tasks" / name));
  }
}

TEST_CASE("the GCIDE task lines are held-out corpus text", "[core][tasks]") {
  const std::string text = data::read_text_files({fs::path(data::kDefaultCorpus)}, 0);
  // val_fraction 0.02 (the quickstart's): its validation blocks are held out for any larger fraction too.
  std::string held_out;
  for (const data::TextBlock& b : data::split_into_blocks(text, data::kDefaultSplitBlockBytes, 0.02)) {
    if (b.val) held_out.append(text, static_cast<size_t>(b.begin), static_cast<size_t>(b.end - b.begin));
  }
  std::istringstream lines(slurp(kSource / "tasks/gcide-lastword.txt"));
  int checked = 0;
  for (std::string line; std::getline(lines, line); ++checked) {
    INFO(line);
    CHECK(held_out.find(line + ".") != std::string::npos);
  }
  CHECK(checked == 300);
}

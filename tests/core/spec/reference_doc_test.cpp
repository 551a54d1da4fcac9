// recipes/README.md's reference block is the generated one: the settings table and the
// descriptors are the documentation's only source.
#include "core/spec/reference_doc.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/spec/routing_regime.h"
#include "core/spec/settings.h"

using namespace mose::core::spec;

namespace {

std::string generated_block_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const std::size_t begin = all.find(kReferenceBegin);
  const std::size_t end = all.find(kReferenceEnd);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::size_t start = begin + std::string(kReferenceBegin).size() + 1;  // past its newline
  return all.substr(start, end - start);
}

}  // namespace

TEST_CASE("recipes/README.md carries the current generated reference", "[core][spec][docs]") {
  const std::string in_readme = generated_block_of(std::filesystem::path(MOSE_SOURCE_DIR) / "recipes/README.md");
  INFO("regenerate with: build/app/mose-study reference, and paste it between the markers in recipes/README.md");
  CHECK(in_readme == reference_markdown());
}

TEST_CASE("the reference lists every setting and every registered extension", "[core][spec][docs]") {
  const std::string text = reference_markdown();
  for (const Setting& s : all_settings()) CHECK_THAT(text, Catch::Contains("| `" + s.key + "` |"));
  for (const RouterRegime& r : router_regimes().entries()) {
    CHECK_THAT(text, Catch::Contains("| `" + r.name + "` | " + r.summary));
  }
}

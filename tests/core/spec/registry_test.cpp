// The registry every extension point uses: entries sorted by name, unknown names listed
// in the message, and registrations that come too late or twice refused.
#include "core/spec/registry.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "base/errors.h"

using namespace mose::core::spec;

namespace {

struct Entry {
  std::string name;
  int value = 0;
};

}  // namespace

TEST_CASE("a registry keeps entries sorted and finds them by name", "[core][spec][registry]") {
  Registry<Entry> registry("colour", "paint.colour");
  const Registration<Entry> red(registry, {"red", 1});
  registry.add({"blue", 2});
  registry.add({"green", 3});
  CHECK(registry.names() == std::vector<std::string>{"blue", "green", "red"});
  CHECK(registry.find("green")->value == 3);
  CHECK(registry.find("purple") == nullptr);
  CHECK(registry.at("red").value == 1);
  CHECK_THROWS_WITH(registry.at("purple"), "paint.colour = 'purple': unknown colour; known: blue, green, red");
  CHECK_THROWS_AS(registry.at("purple"), mose::ConfigError);
}

TEST_CASE("a registry refuses a name twice and any registration after it was read", "[core][spec][registry]") {
  Registry<Entry> registry("colour", "paint.colour");
  registry.add({"red", 1});
  CHECK_THROWS_AS(registry.add({"red", 2}), std::logic_error);
  CHECK(registry.entries().size() == 1);
  CHECK_THROWS_WITH(registry.add({"blue", 2}), "colour 'blue' registered after the colour registry was first read");
}

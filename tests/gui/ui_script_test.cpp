// Parsing of `mose-gui --script` files.
#include <catch2/catch.hpp>

#include "app/gui/view_model/ui_script.h"
#include "base/errors.h"

namespace mose::app::gui::view_model {
namespace {

TEST_CASE("ui script: actions, comments and the rest-of-line search", "[gui][ui_script]") {
  const auto actions = parse_ui_script(R"(
# wait for the study, then act
wait-loaded
filter policy uniform off   # a checkbox
search  mose topk  
hover 17
dump out/state.txt
)",
                                       "s.txt");
  REQUIRE(actions.size() == 5);
  REQUIRE(actions[0].verb == "wait-loaded");
  REQUIRE(actions[0].line == 3);
  REQUIRE(actions[1].args == std::vector<std::string>{"policy", "uniform", "off"});
  REQUIRE(actions[2].args == std::vector<std::string>{"mose topk"});
  REQUIRE(actions[3].args == std::vector<std::string>{"17"});
  REQUIRE(actions[4].line == 7);
}

TEST_CASE("ui script: unknown actions and wrong argument counts name the line", "[gui][ui_script]") {
  REQUIRE_THROWS_WITH(parse_ui_script("wait-loaded\nfly away\n", "s.txt"),
                      Catch::StartsWith("s.txt:2: unknown action 'fly'; expected one of ") && Catch::Contains("hover"));
  REQUIRE_THROWS_AS(parse_ui_script("hover\n", "s.txt"), UsageError);
  REQUIRE_THROWS_WITH(parse_ui_script("filter policy uniform\n", "s.txt"),
                      Catch::Equals("s.txt:1: 'filter' takes 3 argument(s), got 2"));
}

}  // namespace
}  // namespace mose::app::gui::view_model

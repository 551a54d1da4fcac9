#include "ui_script.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <sstream>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::app::gui::view_model {
namespace {

// Verb -> argument count (-1: the rest of the line as one argument).
const std::map<std::string, int, std::less<>>& verbs() {
  static const std::map<std::string, int, std::less<>> known{
      {"wait-loaded", 0}, {"frames", 1}, {"filter", 3}, {"search", -1}, {"x-axis", 1},        {"y-axis", 1},
      {"x-percent", 1},   {"group", 2},  {"hover", 1},  {"click", 0},   {"select", 1},        {"tab", 1},
      {"screenshot", 1},  {"dump", 1},   {"quit", 0},   {"launch", 2},  {"wait-finished", 1}, {"stop-launch", 0}};
  return known;
}

std::string trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  const std::size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

std::vector<ScriptAction> parse_ui_script(std::string_view text, std::string_view source) {
  std::vector<ScriptAction> actions;
  std::istringstream lines{std::string(text)};
  std::string raw;
  for (int number = 1; std::getline(lines, raw); ++number) {
    const std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    const std::size_t space = line.find_first_of(" \t");
    ScriptAction action{.verb = line.substr(0, space), .line = number};
    const auto known = verbs().find(action.verb);
    if (known == verbs().end()) {
      std::vector<std::string> names;
      for (const auto& [name, count] : verbs()) names.push_back(name);
      throw UsageError(fmt::format("{}:{}: unknown action '{}'; expected one of {}", source, number, action.verb,
                                   fmt::join(names, ", ")));
    }
    const std::string rest = space == std::string::npos ? "" : trim(line.substr(space));
    if (known->second < 0) {
      action.args.push_back(rest);
    } else {
      std::istringstream words(rest);
      for (std::string word; words >> word;) action.args.push_back(word);
      if (static_cast<int>(action.args.size()) != known->second) {
        throw UsageError(fmt::format("{}:{}: '{}' takes {} argument(s), got {}", source, number, action.verb,
                                     known->second, action.args.size()));
      }
    }
    actions.push_back(std::move(action));
  }
  return actions;
}

std::vector<ScriptAction> read_ui_script(const std::filesystem::path& path) {
  return parse_ui_script(read_file(path), path.string());
}

}  // namespace mose::app::gui::view_model

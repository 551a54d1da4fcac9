// Task file readers (see task_data.h). JSON lines are parsed by nlohmann's parser; only
// "context", "choices" and "gold" are read, other keys are ignored.
#include "core/data/task_data.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/errors.h"

namespace mose::core::data {
namespace {

constexpr const char* kExpectedLine = R"({"context": string, "choices": [string, ...], "gold": index})";

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw DataError(fmt::format("{}: {}; expected {}", where, what, kExpectedLine));
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest says it.
std::string without_tag(const std::string& what) {
  const std::size_t end = what.find("] ");
  return end == std::string::npos ? what : what.substr(end + 2);
}

nlohmann::json parse_object(std::string_view line, const std::string& where) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& error) {
    fail(where, "not valid JSON: " + without_tag(error.what()));
  }
  if (!object.is_object()) fail(where, "not a JSON object");
  return object;
}

std::vector<std::string> choices_of(const nlohmann::json& object, const std::string& where) {
  const auto it = object.find("choices");
  if (it == object.end() || !it->is_array() || it->size() < 2) {
    fail(where, "\"choices\" missing or with fewer than 2 strings");
  }
  std::vector<std::string> choices;
  for (const nlohmann::json& choice : *it) {
    if (!choice.is_string()) fail(where, "a choice that is not a string");
    if (choice.get_ref<const std::string&>().empty()) fail(where, "an empty choice");
    choices.push_back(choice.get<std::string>());
  }
  return choices;
}

std::ifstream open_task(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("task file {}: cannot be read (missing?)", path.string()));
  return in;
}

}  // namespace

TaskKind task_kind(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".jsonl") return TaskKind::kMultipleChoice;
  if (ext == ".txt") return TaskKind::kLastWord;
  throw DataError(fmt::format("task file {}: unknown task kind; expected .jsonl (multiple choice) or .txt (last word)",
                              path.string()));
}

std::string task_name(const std::filesystem::path& path) { return path.stem().string(); }

ChoiceItem parse_choice_line(std::string_view line, const std::string& where) {
  const nlohmann::json object = parse_object(line, where);
  const auto context = object.find("context");
  if (context == object.end() || !context->is_string()) fail(where, "missing \"context\" (a string)");
  if (context->get_ref<const std::string&>().empty()) fail(where, "an empty \"context\" (nothing to score after)");
  std::vector<std::string> choices = choices_of(object, where);
  const auto gold = object.find("gold");
  const bool index = gold != object.end() && gold->is_number() &&
                     gold->get<double>() == std::floor(gold->get<double>()) && gold->get<double>() >= 0 &&
                     gold->get<double>() < static_cast<double>(choices.size());
  if (!index) fail(where, fmt::format("\"gold\" missing or not an index in [0, {})", choices.size()));
  return ChoiceItem{context->get<std::string>(), std::move(choices), gold->get<int>()};
}

std::vector<ChoiceItem> read_choice_task(const std::filesystem::path& path) {
  std::ifstream in = open_task(path);
  std::vector<ChoiceItem> items;
  std::string line;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    items.push_back(parse_choice_line(line, fmt::format("{}:{}", path.string(), line_no)));
    items.back().line = line_no;
  }
  if (items.empty()) throw DataError(fmt::format("task file {}: no items", path.string()));
  return items;
}

std::vector<LastWordItem> read_last_word_task(const std::filesystem::path& path) {
  std::ifstream in = open_task(path);
  std::vector<LastWordItem> items;
  std::string line;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty()) continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos || space == 0) {
      throw DataError(
          fmt::format("{}:{}: expected a passage of at least two space-separated words", path.string(), line_no));
    }
    items.push_back({line.substr(0, space), line.substr(space), line_no});
  }
  if (items.empty()) throw DataError(fmt::format("task file {}: no items", path.string()));
  return items;
}

}  // namespace mose::core::data

// Zero-shot task files: what is read from disk, before any model sees it. Torch-free.
//   multiple choice (.jsonl): one JSON object per line,
//     {"context": "...", "choices": ["...", ...], "gold": i}
//     other keys are ignored (ids, sources). The model scores context + choice with the
//     two strings concatenated verbatim, so a choice that should follow a space carries
//     it (" river"), as lm-eval-harness conversions of HellaSwag / PIQA / ARC do.
//   last word (.txt): one passage per non-empty line; the target is the line's last
//     space-separated word with the space before it, the context everything before that
//     space (LAMBADA's convention).
// Every malformed line is a DataError naming file:line and what was expected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mose::core::data {

struct ChoiceItem {
  std::string context;               // not empty: the first choice token is scored after it
  std::vector<std::string> choices;  // at least 2
  int gold = 0;                      // index into choices
  int64_t line = 0;                  // where read_choice_task found it (1-based), for messages
};

struct LastWordItem {
  std::string context;  // the passage up to (not including) the space before the last word
  std::string target;   // " " + last word
  int64_t line = 0;     // where read_last_word_task found it (1-based), for messages
};

enum class TaskKind { kMultipleChoice, kLastWord };

// By extension: ".jsonl" multiple choice, ".txt" last word; anything else a DataError.
TaskKind task_kind(const std::filesystem::path& path);

// "wordnet-gloss" for tasks/wordnet-gloss.jsonl: the name metrics are recorded under.
std::string task_name(const std::filesystem::path& path);

// One JSONL line (line_no for messages). Throws DataError "path:line: ...".
ChoiceItem parse_choice_line(std::string_view line, const std::string& where);

std::vector<ChoiceItem> read_choice_task(const std::filesystem::path& path);
std::vector<LastWordItem> read_last_word_task(const std::filesystem::path& path);

}  // namespace mose::core::data

// Task file readers (see task_data.h), with a minimal JSON reader for one object per
// line: strings (all escapes, \uXXXX with surrogate pairs -> UTF-8), numbers, literals,
// arrays and objects; only "context", "choices" and "gold" are kept.
#include "core/eval/task_data.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <optional>

#include "base/errors.h"

namespace mose::core {
namespace {

class JsonLine {
 public:
  JsonLine(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(fmt::format("{}: {} (at column {}); expected {{\"context\": string, \"choices\": [string, ...], "
                                "\"gold\": index}}",
                                where_, what, pos_ + 1));
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
  }
  bool at(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!at(c)) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  bool done() {
    skip_space();
    return pos_ == text_.size();
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': append_utf8(out, code_point()); break;
        default: fail(fmt::format("unknown escape '\\{}'", e));
      }
    }
  }

  double number() {
    skip_space();
    const size_t start = pos_;
    while (pos_ < text_.size() && std::string_view("+-0123456789.eE").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    const std::string token(text_.substr(start, pos_ - start));
    try {
      size_t used = 0;
      const double v = std::stod(token, &used);
      if (used == token.size()) return v;
    } catch (const std::exception&) {
    }
    pos_ = start;
    fail("expected a number");
  }

  // Skips any JSON value (for keys we do not read).
  void skip_value() {
    skip_space();
    if (at('"')) {
      string();
    } else if (at('[') || at('{')) {
      const char close = text_[pos_] == '[' ? ']' : '}';
      const bool object = close == '}';
      ++pos_;
      if (at(close)) {
        ++pos_;
        return;
      }
      do {
        if (object) {
          string();
          expect(':');
        }
        skip_value();
      } while (consume(','));
      expect(close);
    } else if (!literal("true") && !literal("false") && !literal("null")) {
      number();
    }
  }

  bool consume(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }

 private:
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  uint32_t hex4() {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<uint32_t>(h - 'A' + 10);
      else fail("bad hex digit in \\u escape");
    }
    return v;
  }

  uint32_t code_point() {
    const uint32_t first = hex4();
    if (first < 0xD800 || first > 0xDFFF) return first;
    if (first > 0xDBFF || !literal("\\u")) fail("unpaired UTF-16 surrogate in \\u escape");
    const uint32_t second = hex4();
    if (second < 0xDC00 || second > 0xDFFF) fail("unpaired UTF-16 surrogate in \\u escape");
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view text_;
  const std::string& where_;
  size_t pos_ = 0;
};

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
  JsonLine json(line, where);
  std::optional<std::string> context;
  std::optional<std::vector<std::string>> choices;
  std::optional<double> gold;
  json.expect('{');
  if (!json.consume('}')) {
    do {
      const std::string key = json.string();
      json.expect(':');
      if (key == "context") {
        context = json.string();
      } else if (key == "choices") {
        choices.emplace();
        json.expect('[');
        if (!json.consume(']')) {
          do choices->push_back(json.string());
          while (json.consume(','));
          json.expect(']');
        }
      } else if (key == "gold") {
        gold = json.number();
      } else {
        json.skip_value();
      }
    } while (json.consume(','));
    json.expect('}');
  }
  if (!json.done()) json.fail("text after the object");
  if (!context) json.fail("missing \"context\"");
  if (!choices || choices->size() < 2) json.fail("\"choices\" missing or with fewer than 2 strings");
  if (!gold || *gold != std::floor(*gold) || *gold < 0 || *gold >= static_cast<double>(choices->size())) {
    json.fail(fmt::format("\"gold\" missing or not an index in [0, {})", choices->size()));
  }
  for (const std::string& c : *choices) {
    if (c.empty()) json.fail("an empty choice");
  }
  return ChoiceItem{std::move(*context), std::move(*choices), static_cast<int>(*gold)};
}

std::vector<ChoiceItem> read_choice_task(const std::filesystem::path& path) {
  std::ifstream in = open_task(path);
  std::vector<ChoiceItem> items;
  std::string line;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    items.push_back(parse_choice_line(line, fmt::format("{}:{}", path.string(), line_no)));
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
      throw DataError(fmt::format("{}:{}: expected a passage of at least two space-separated words",
                                  path.string(), line_no));
    }
    items.push_back({line.substr(0, space), line.substr(space)});
  }
  if (items.empty()) throw DataError(fmt::format("task file {}: no items", path.string()));
  return items;
}

}  // namespace mose::core

// RFC 4180 writer and a strict reader that reports the line at fault.
#include "study/analysis/csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::study::analysis {
namespace {

bool needs_quotes(std::string_view field) { return field.find_first_of(",\"\r\n") != std::string_view::npos; }

void append_field(std::string& out, std::string_view field) {
  if (!needs_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_record(std::string& out, const std::vector<std::string>& fields) {
  if (fields.size() == 1 && fields.front().empty()) {
    out += "\"\"\r\n";  // an empty line would not read back as one empty field
    return;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    append_field(out, fields[i]);
  }
  out += "\r\n";
}

// A cursor over the text that knows its line, for "source:line: ..." errors.
class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  std::size_t line() const { return line_; }

  [[noreturn]] void fail(std::size_t line, std::string_view what) const {
    throw DataError(fmt::format("{}:{}: malformed CSV: {}", source_, line, what));
  }

  // Reads one record into `fields`; false at the end of the text.
  bool next_record(std::vector<std::string>& fields) {
    fields.clear();
    if (pos_ == text_.size()) return false;
    while (true) {
      fields.push_back(at('"') ? quoted_field() : plain_field());
      if (pos_ == text_.size()) return true;
      if (at(',')) {
        ++pos_;
      } else if (at('\n')) {
        ++pos_;
        ++line_;
        return true;
      } else if (at('\r') && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
        pos_ += 2;
        ++line_;
        return true;
      } else {
        fail(line_, at('\r') ? "bare carriage return outside quotes (records end in CRLF or LF)"
                             : fmt::format("unexpected character '{}' after a closing quote", text_[pos_]));
      }
    }
  }

 private:
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  std::string plain_field() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      if (text_[pos_] == '"') fail(line_, "double quote inside an unquoted field (quote the whole field)");
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // RFC 4180: inside quotes everything is literal; "" is one quote.
  std::string quoted_field() {
    const std::size_t opened_at = line_;
    std::string field;
    ++pos_;
    while (true) {
      if (pos_ == text_.size()) fail(opened_at, "quoted field is never closed");
      const char c = text_[pos_++];
      if (c == '"') {
        if (!at('"')) return field;
        ++pos_;
      }
      if (c == '\n') ++line_;
      field += c;
    }
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

std::size_t CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw DataError(fmt::format("CSV has no column '{}'; its columns are: {}", name, fmt::join(columns, ", ")));
}

std::string csv_number(double value) { return fmt::format("{}", value); }

double parse_csv_number(std::string_view cell, std::string_view what) {
  double value = 0.0;
  const char* end = cell.data() + cell.size();
  const auto [ptr, ec] = std::from_chars(cell.data(), end, value);
  if (ec != std::errc() || ptr != end || cell.empty()) {
    throw DataError(fmt::format("{}: expected a number, found '{}'", what, cell));
  }
  return value;
}

std::string format_csv(const CsvTable& table) {
  if (table.columns.empty()) throw DataError("CSV table has no columns");
  std::string out;
  append_record(out, table.columns);
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    if (table.rows[i].size() != table.columns.size()) {
      throw DataError(fmt::format("CSV row {} has {} cells but there are {} columns ({})", i, table.rows[i].size(),
                                  table.columns.size(), fmt::join(table.columns, ", ")));
    }
    append_record(out, table.rows[i]);
  }
  return out;
}

CsvTable parse_csv(std::string_view text, std::string_view source) {
  Reader reader(text, source);
  CsvTable table;
  if (!reader.next_record(table.columns)) reader.fail(1, "no header record (the file is empty)");
  std::vector<std::string> fields;
  std::size_t line = reader.line();
  while (reader.next_record(fields)) {
    if (fields.size() != table.columns.size()) {
      reader.fail(line, fmt::format("record has {} fields but the header names {} columns", fields.size(),
                                    table.columns.size()));
    }
    table.rows.push_back(fields);
    line = reader.line();
  }
  return table;
}

void write_csv(const std::filesystem::path& path, const CsvTable& table) {
  write_file_atomically(path, format_csv(table));
}

CsvTable read_csv(const std::filesystem::path& path) { return parse_csv(read_file(path), path.string()); }

}  // namespace mose::study::analysis

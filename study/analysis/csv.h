// CSV tables as RFC 4180 describes them: records end in CRLF, a field holding
// a comma, a double quote, CR or LF is enclosed in double quotes and its
// quotes doubled. The first record names the columns; every record has as
// many fields as there are columns. Cells are strings; numbers go through
// csv_number / parse_csv_number so that doubles round-trip exactly.
//
// Reading accepts CRLF or a bare LF as the record end (outside quotes), keeps
// everything inside quotes verbatim, does not trim spaces, and ignores one
// final record end. One writer quirk keeps empty cells unambiguous: a record
// of a single empty field is written as "" (an empty line would read back as
// nothing in most tools).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mose::study::analysis {

struct CsvTable {
  std::vector<std::string> columns;            // stable names chosen by the caller
  std::vector<std::vector<std::string>> rows;  // each rows[i].size() == columns.size()

  // The index of column `name`; throws DataError listing the columns when absent.
  std::size_t column(std::string_view name) const;
};

// Shortest decimal text that parses back to exactly `value` (fmt "{}"):
// 0.1 -> "0.1", 1e20 -> "1e+20", and "inf", "-inf", "nan".
std::string csv_number(double value);

// Parses a csv_number (or any decimal / exponent form std::from_chars accepts).
// Throws DataError naming `what` (e.g. "runs.csv:3 column 'val_loss'") when the
// cell is not a number in full.
double parse_csv_number(std::string_view cell, std::string_view what);

// The whole file as text. Throws DataError when a row's size differs from the
// number of columns or there are no columns.
std::string format_csv(const CsvTable& table);

// Parses CSV text; `source` names it in errors ("path:line: ..."). Throws
// DataError on an unterminated quote, a character after a closing quote,
// a missing header, or a record whose field count differs from the header's.
CsvTable parse_csv(std::string_view text, std::string_view source);

// format_csv written atomically (base/atomic_file.h); IoError on failure.
void write_csv(const std::filesystem::path& path, const CsvTable& table);

// read_file + parse_csv; IoError when unreadable, DataError when malformed.
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace mose::study::analysis

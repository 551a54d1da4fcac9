#include "db/sql/sql_text.h"

namespace mose::db::sql {

std::string excerpt(std::string_view sql) {
  constexpr std::size_t kMaxChars = 72;
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= kMaxChars) return out + "...";
  }
  return out;
}

}  // namespace mose::db::sql

// Text helpers for the SQL backends (private to db/): what both dialects'
// connections write into messages.
#pragma once

#include <string>
#include <string_view>

namespace mose::db::sql {

// The start of a statement, whitespace collapsed and cut after 72 characters
// ("..."), for error messages. Empty when `sql` holds only whitespace.
std::string excerpt(std::string_view sql);

}  // namespace mose::db::sql

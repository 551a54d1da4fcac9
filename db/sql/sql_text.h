// Text helpers for the SQL backends (private to db/): what both dialects'
// connections and the shared storage write into SQL or into messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mose::db::sql {

// The start of a statement, whitespace collapsed and cut after 72 characters
// ("..."), for error messages. Empty when `sql` holds only whitespace.
std::string excerpt(std::string_view sql);

// "[3,17,42]": ids as one JSON array, so a statement takes any number of them
// through one parameter (see Dialect::ids_from_json) and never meets a limit on
// parameters per statement.
std::string json_id_array(const std::vector<std::int64_t>& ids);

}  // namespace mose::db::sql

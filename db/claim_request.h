// Validation of a ClaimRequest that every backend applies before claiming, so
// they reject the same requests with the same words.
#pragma once

#include <optional>
#include <string>

#include "db/records.h"

namespace mose::db {

// What is wrong with `request` ("claim_next: the worker id is empty", ...), or
// nullopt when it can be used.
std::optional<std::string> claim_request_problem(const ClaimRequest& request);

}  // namespace mose::db

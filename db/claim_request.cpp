#include "db/claim_request.h"

#include <fmt/format.h>

#include <cmath>

namespace mose::db {

std::optional<std::string> claim_request_problem(const ClaimRequest& request) {
  if (request.worker.empty()) return "claim_next: the worker id is empty";
  if (!(request.heartbeat_timeout_s > 0.0) || !std::isfinite(request.heartbeat_timeout_s)) {
    return fmt::format("claim_next: heartbeat timeout must be a positive number of seconds, got {}",
                       request.heartbeat_timeout_s);
  }
  if (request.max_attempts < 1) {
    return "claim_next: max_attempts must be at least 1, got " + std::to_string(request.max_attempts);
  }
  return std::nullopt;
}

}  // namespace mose::db

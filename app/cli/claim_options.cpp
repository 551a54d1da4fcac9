#include "commands.h"

namespace mose::app::cli {

void add_takeover_options(CLI::App* cmd, double& heartbeat_timeout_s, std::int64_t& max_attempts) {
  cmd->add_option("--heartbeat-timeout", heartbeat_timeout_s,
                  "seconds without a heartbeat after which a running trial is taken over")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-attempts", max_attempts, "claims before an abandoned trial is marked failed")
      ->check(CLI::PositiveNumber);
}

void add_poll_option(CLI::App* cmd, double& poll_interval_s) {
  cmd->add_option("--poll-interval", poll_interval_s, "seconds between claims while others hold the rest")
      ->check(CLI::PositiveNumber);
}

}  // namespace mose::app::cli

#include "core/eval/stop_poll.h"

#include <fmt/format.h>

#include <utility>

#include "core/spec/engine.h"

namespace mose::core::eval {
namespace {

thread_local std::function<bool()> current_poll;
thread_local std::string current_what;

}  // namespace

StopPollScope::StopPollScope(std::function<bool()> poll, std::string what)
    : previous_poll_(std::exchange(current_poll, std::move(poll))),
      previous_what_(std::exchange(current_what, std::move(what))) {}

StopPollScope::~StopPollScope() {
  current_poll = std::move(previous_poll_);
  current_what = std::move(previous_what_);
}

void throw_if_stop_requested() {
  if (current_poll && current_poll()) {
    throw spec::EvaluationStopped(fmt::format("evaluation of {} stopped on request", current_what));
  }
}

}  // namespace mose::core::eval

// The child process behind "Launch": output tail, exit codes, stop by SIGINT.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "app/gui/view_model/child_process.h"

namespace mose::app::gui::view_model {
namespace {

void wait_exit(const ChildProcess& child) {
  for (int i = 0; i < 2000 && child.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

TEST_CASE("child process: output lines, partial last line, exit code", "[gui][child_process]") {
  ChildProcess child("/bin/sh", {"-c", "echo one; echo two >&2; printf 'three\\rfour'; exit 3"}, ".");
  wait_exit(child);
  REQUIRE(child.exit_code() == 3);
  REQUIRE(child.tail(10) == std::vector<std::string>{"one", "two", "three", "four"});
  REQUIRE(child.tail(2) == std::vector<std::string>{"three", "four"});
}

TEST_CASE("child process: stop sends SIGINT", "[gui][child_process]") {
  ChildProcess child("/bin/sleep", {"30"}, ".");
  REQUIRE(child.running());
  child.stop();
  wait_exit(child);
  REQUIRE(child.exit_code() == 128 + 2);
}

TEST_CASE("child process: a program that cannot run exits 127 with the reason", "[gui][child_process]") {
  ChildProcess child("/nonexistent/mose-study", {}, ".");
  wait_exit(child);
  REQUIRE(child.exit_code() == 127);
  REQUIRE(child.tail(1) == std::vector<std::string>{"mose-gui: cannot execute the program"});
}

}  // namespace
}  // namespace mose::app::gui::view_model

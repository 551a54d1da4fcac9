#include "db/clock.h"

#include <chrono>

namespace mose::db {

double unix_now() {
  // C++20 fixes system_clock's epoch to the unix epoch, so this is UTC.
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

}  // namespace mose::db

// The one clock behind every timestamp the database stores: UTC unix seconds
// as a double (sub-second resolution, comparable across processes and hosts
// that keep NTP time). Storage backends take a Clock so tests can drive time
// by hand instead of sleeping through heartbeat timeouts.
#pragma once

#include <functional>

namespace mose::db {

using Clock = std::function<double()>;

// Seconds since 1970-01-01T00:00:00Z from std::chrono::system_clock.
double unix_now();

}  // namespace mose::db

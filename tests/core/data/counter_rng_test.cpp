#include "core/data/counter_rng.h"

#include <catch2/catch.hpp>

#include <set>

using namespace mose::core::data;

TEST_CASE("splitmix64 matches the reference sequence", "[core][data]") {
  // The first two outputs of Vigna's splitmix64.c seeded with 0.
  CHECK(splitmix64(0) == 0xe220a8397b1dcdafULL);
  CHECK(splitmix64(kGoldenGamma) == 0x6e789e6aa1b965f4ULL);
  static_assert(splitmix64(1) != splitmix64(2), "usable at compile time");
}

TEST_CASE("mul_high64 equals the 128-bit product's high word", "[core][data]") {
  __extension__ using U128 = unsigned __int128;
  CounterRng rng(7);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t a = rng.next(), b = rng.next();
    CHECK(mul_high64(a, b) == static_cast<uint64_t>((static_cast<U128>(a) * b) >> 64));
  }
  CHECK(mul_high64(~0ULL, ~0ULL) == ~0ULL - 1);
}

TEST_CASE("counter_hash is a pure function of seed and counters", "[core][data]") {
  CHECK(counter_hash(1, 2, 3) == counter_hash(1, 2, 3));
  CHECK(counter_hash(1, 2, 3) != counter_hash(1, 3, 2));
  CHECK(counter_hash(1, 2, 3) != counter_hash(2, 2, 3));
  CHECK(counter_hash(1, int64_t{-1}) == counter_hash(1, ~0ULL));
  std::set<uint64_t> seen;
  for (int step = 0; step < 100; ++step) {
    for (int row = 0; row < 100; ++row) seen.insert(counter_hash(42, step, row));
  }
  CHECK(seen.size() == 10000);
}

TEST_CASE("uniform draws stay in range and look uniform", "[core][data]") {
  CounterRng rng(99, 1, 2);
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.next_unit();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const uint64_t k = rng.next_below(10);
    REQUIRE(k < 10);
    ++buckets[k];
  }
  for (int count : buckets) CHECK(std::abs(count - 10000) < 500);  // > 5 sigma
  CHECK(uniform_below(~0ULL, 7) == 6);
  CHECK(uniform_below(0, 7) == 0);
  CHECK(to_unit_interval(~0ULL) < 1.0);
}

TEST_CASE("CounterRng replays the same stream for the same key", "[core][data]") {
  CounterRng a(5, 10, 3), b(5, 10, 3), c(5, 11, 3);
  for (int i = 0; i < 10; ++i) {
    const uint64_t x = a.next();
    CHECK(x == b.next());
    CHECK(x != c.next());
  }
}

// Counter-based random numbers: every draw is a pure function of a seed and a
// tuple of counters (step, micro-batch, row, ...), so any draw can be replayed
// without generator state. Resuming training at step s therefore reproduces
// batches and width choices bit for bit. Header-only, constexpr, no library,
// identical on every platform.
//
// The mixer is SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom
// number generators", OOPSLA 2014): z = x + 0x9e3779b97f4a7c15, then two
// xor-shift-multiply rounds. It is a bijection of 64-bit words, so chaining
// h' = mix(h ^ counter) keeps distinct counters distinct at each stage.
#pragma once

#include <concepts>
#include <cstdint>

namespace mose::core::data {

// Streams separate the users of one seed, so that the batch sampler and the
// width sampler never draw the same numbers. Kept together so none is reused.
namespace rng_stream {
inline constexpr uint64_t kTrainBatch = 0x7472'6169'6e42'6174;  // "trainBat"
inline constexpr uint64_t kValSplit = 0x7661'6c53'706c'6974;    // "valSplit"
inline constexpr uint64_t kWidth = 0x7769'6474'6853'616d;       // "widthSam"
}  // namespace rng_stream

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

constexpr uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + kGoldenGamma;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 64 random bits for (seed, counters...). Negative counters are fine: they are
// reinterpreted as uint64 (two's complement), which is still one-to-one.
template <std::integral... Counters>
constexpr uint64_t counter_hash(uint64_t seed, Counters... counters) {
  uint64_t h = splitmix64(seed);
  ((h = splitmix64(h ^ static_cast<uint64_t>(counters))), ...);
  return h;
}

// Uniform double in [0, 1) from the top 53 bits.
constexpr double to_unit_interval(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// High 64 bits of the 128-bit product a * b, without compiler extensions.
constexpr uint64_t mul_high64(uint64_t a, uint64_t b) {
  const uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo;
  const uint64_t hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi;
  const uint64_t hi_hi = a_hi * b_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

// Integer in [0, n) for n >= 1 by Lemire's multiply-shift: floor(bits * n / 2^64).
// Without rejection the bias is at most n / 2^64 per value (< 1e-7 for any
// corpus below 2^40 tokens), far below anything training can notice, and it
// keeps each draw a single hash.
constexpr uint64_t uniform_below(uint64_t bits, uint64_t n) { return mul_high64(bits, n); }

// A stream of draws keyed by (seed, counters...): draw i is
// splitmix64(key + i * gamma), i.e. the SplitMix64 sequence started at the key.
class CounterRng {
 public:
  template <std::integral... Counters>
  constexpr explicit CounterRng(uint64_t seed, Counters... counters) : key_(counter_hash(seed, counters...)) {}

  constexpr uint64_t next() { return splitmix64(key_ + (index_++) * kGoldenGamma); }
  constexpr double next_unit() { return to_unit_interval(next()); }
  constexpr uint64_t next_below(uint64_t n) { return uniform_below(next(), n); }

 private:
  uint64_t key_;
  uint64_t index_ = 0;
};

}  // namespace mose::core::data

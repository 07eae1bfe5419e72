#pragma once
// Retry delays of failed deliveries: exponential backoff with jitter.
// Thread-safety: pure functions.

#include <chrono>
#include <functional>

namespace tabel::bus {

// The fraction of a delay that jitter may remove: a delay of d becomes a
// value in [d * (1 - kBackoffJitter), d].
inline constexpr double kBackoffJitter = 0.5;

// A source of uniform random numbers in [0, 1); injected so that tests can
// fix the jitter. Must be safe to call from any thread.
using UnitRandom = std::function<double()>;

// A UnitRandom backed by a per-thread std::mt19937_64 seeded from
// std::random_device.
UnitRandom DefaultUnitRandom();

// The delay before retrying after failed attempt `attempt` (1 = the first
// delivery failed): d = min(base * 2^(attempt - 1), max_backoff), then
// jittered to d * (1 - kBackoffJitter * unit_random). `unit_random` is
// clamped to [0, 1]; 0 gives d exactly. attempt < 1 counts as 1. Never
// overflows, whatever the attempt; never exceeds max_backoff; at least 1 ms
// when base >= 1 ms. Requires 0 < base <= max_backoff.
std::chrono::milliseconds ComputeBackoff(int attempt, std::chrono::milliseconds base,
                                         std::chrono::milliseconds max_backoff, double unit_random);

}  // namespace tabel::bus

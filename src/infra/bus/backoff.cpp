#include "infra/bus/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace tabel::bus {

UnitRandom DefaultUnitRandom() {
  return [] {
    thread_local std::mt19937_64 engine = [] {
      std::random_device device;
      std::seed_seq seed{device(), device(), device(), device()};
      return std::mt19937_64(seed);
    }();
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

std::chrono::milliseconds ComputeBackoff(int attempt, std::chrono::milliseconds base,
                                         std::chrono::milliseconds max_backoff, double unit_random) {
  const long long base_ms = std::max<long long>(base.count(), 1);
  const long long max_ms = std::max<long long>(max_backoff.count(), base_ms);
  // Doubling from base_ms reaches any representable cap within 63 steps.
  const int doublings = std::clamp(attempt - 1, 0, 62);
  long long delay_ms = base_ms;
  for (int i = 0; i < doublings && delay_ms < max_ms; ++i)
    delay_ms = delay_ms > max_ms / 2 ? max_ms : delay_ms * 2;
  delay_ms = std::min(delay_ms, max_ms);
  if (std::isnan(unit_random)) unit_random = 0.0;
  const double jitter = kBackoffJitter * std::clamp(unit_random, 0.0, 1.0);
  const auto jittered = static_cast<long long>(std::llround(static_cast<double>(delay_ms) * (1.0 - jitter)));
  return std::chrono::milliseconds(std::clamp<long long>(jittered, 1, delay_ms));
}

}  // namespace tabel::bus

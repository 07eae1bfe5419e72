#include "common/clock.hpp"

namespace tabel {

using std::chrono::system_clock;

Clock SystemClock() {
  return [] { return system_clock::now(); };
}

ManualClock::ManualClock(system_clock::time_point start) : ticks_(start.time_since_epoch().count()) {}

system_clock::time_point ManualClock::Now() const {
  return system_clock::time_point(system_clock::duration(ticks_.load(std::memory_order_acquire)));
}

void ManualClock::Set(system_clock::time_point now) {
  ticks_.store(now.time_since_epoch().count(), std::memory_order_release);
}

void ManualClock::Advance(system_clock::duration by) {
  ticks_.fetch_add(by.count(), std::memory_order_acq_rel);
}

Clock ManualClock::AsClock() {
  return [this] { return Now(); };
}

system_clock::time_point ManualClock::DefaultStart() {
  return std::chrono::sys_days{std::chrono::year{2024} / 1 / 1};
}

}  // namespace tabel

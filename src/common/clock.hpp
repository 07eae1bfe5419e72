#pragma once
// Time is injected, never read from a global: components take a Clock, the
// composition root passes SystemClock(), tests pass a ManualClock.

#include <atomic>
#include <chrono>
#include <functional>

namespace tabel {

// Returns the current instant (UTC wall-clock time). Must be safe to call
// from any thread.
using Clock = std::function<std::chrono::system_clock::time_point()>;

// std::chrono::system_clock::now.
Clock SystemClock();

// A clock that only moves when told to; for tests.
// Thread-safety: every method is safe from any thread (the instant is an
// atomic). Clocks returned by AsClock() refer to this object: it must
// outlive them.
class ManualClock {
 public:
  // Starts at `start`; the default is 2024-01-01T00:00:00Z.
  explicit ManualClock(std::chrono::system_clock::time_point start = DefaultStart());

  std::chrono::system_clock::time_point Now() const;
  void Set(std::chrono::system_clock::time_point now);
  void Advance(std::chrono::system_clock::duration by);

  Clock AsClock();

  static std::chrono::system_clock::time_point DefaultStart();

 private:
  std::atomic<std::chrono::system_clock::rep> ticks_;
};

}  // namespace tabel

#pragma once
// Waiting in tests for what background threads and other processes do.

#include <chrono>
#include <thread>

namespace tabel::testing {

// Asks `condition` every `every` until it holds or `timeout` passes, then
// once more; returns whether it held. Timeouts are generous: the tests run
// under ASan+UBSan on two cores, unit and integration suites two at a time.
template <class Condition>
bool Eventually(Condition&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds every = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(every);
  }
  return static_cast<bool>(condition());
}

}  // namespace tabel::testing

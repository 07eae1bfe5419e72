#pragma once
// Dates relative to today for functional tests, which run on any day.

#include <chrono>
#include <string>

#include "common/date.hpp"

namespace tabel::testing {

// Today in UTC plus `days` (the server's today is the same day or the next
// one; offsets should leave room for that).
inline std::string Day(int days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return FormatIsoDate(today + std::chrono::days{days});
}

// The year after next: dates there are always beyond any notice period.
inline int FarYear() {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day(today).year()) + 2;
}

// "<FarYear()>-<month_day>".
inline std::string InFarYear(const char* month_day) { return std::to_string(FarYear()) + "-" + month_day; }

}  // namespace tabel::testing

#pragma once
// Calendar dates: ISO 8601 "YYYY-MM-DD" text at every boundary (JSON, SQL),
// std::chrono::sys_days inside. "Today" is the date in the company's time
// zone (TABEL_TIMEZONE), which main() installs as the process time zone.
// Thread-safety: pure functions (LocalDate reads the process time zone).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tabel {

using Date = std::chrono::sys_days;

// Dates the product accepts anywhere: from 1900-01-01 to 2199-12-31.
inline constexpr std::chrono::year kMinYear{1900};
inline constexpr std::chrono::year kMaxYear{2199};

// Parses exactly "YYYY-MM-DD" of a real calendar day within
// [kMinYear, kMaxYear]; nullopt for anything else ("2025-02-29" included).
std::optional<Date> ParseIsoDate(std::string_view text);

// "YYYY-MM-DD".
std::string FormatIsoDate(Date date);

// The calendar date of `instant` in the process time zone.
Date LocalDate(std::chrono::system_clock::time_point instant);

}  // namespace tabel

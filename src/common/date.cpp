#include "common/date.hpp"

#include <cstdio>
#include <ctime>

namespace tabel {

std::optional<Date> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int part = 0; part < 3; ++part) {
    for (size_t i = 0; i < lengths[part]; ++i) {
      const char c = text[starts[part] + i];
      if (c < '0' || c > '9') return std::nullopt;
      parts[part] = parts[part] * 10 + (c - '0');
    }
  }
  const std::chrono::year_month_day ymd{std::chrono::year{parts[0]},
                                        std::chrono::month{static_cast<unsigned>(parts[1])},
                                        std::chrono::day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok() || ymd.year() < kMinYear || ymd.year() > kMaxYear) return std::nullopt;
  return Date{ymd};
}

std::string FormatIsoDate(Date date) {
  const std::chrono::year_month_day ymd{date};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

Date LocalDate(std::chrono::system_clock::time_point instant) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(instant);
  std::tm local{};
  localtime_r(&seconds, &local);
  return Date{std::chrono::year{local.tm_year + 1900} / static_cast<unsigned>(local.tm_mon + 1) /
              static_cast<unsigned>(local.tm_mday)};
}

}  // namespace tabel

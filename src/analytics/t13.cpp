#include "analytics/t13.hpp"

#include <cstdio>

#include "common/error.hpp"

namespace tabel::analytics {

std::string FormatMonth(std::chrono::year_month month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return text;
}

std::optional<std::chrono::year_month> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  // The first day of the month must be a date the product accepts.
  const std::optional<Date> first = ParseIsoDate(std::string(text) + "-01");
  if (!first) return std::nullopt;
  const std::chrono::year_month_day ymd(*first);
  return ymd.year() / ymd.month();
}

std::chrono::year_month ParseStoredMonth(std::string_view text, std::string_view column) {
  const std::optional<std::chrono::year_month> month = ParseMonth(text);
  if (!month) throw Error::Internal(std::string(column) + ": malformed month '" + std::string(text) + "'");
  return *month;
}

std::string FormatHours(int64_t tenths) {
  const uint64_t magnitude = tenths < 0 ? 0 - static_cast<uint64_t>(tenths) : static_cast<uint64_t>(tenths);
  std::string text = tenths < 0 ? "-" : "";
  text += std::to_string(magnitude / 10);
  if (magnitude % 10 != 0) text += '.' + std::to_string(magnitude % 10);
  return text;
}

}  // namespace tabel::analytics

#include "infra/db/timestamp.hpp"

#include <cstdio>
#include <string>

#include "common/error.hpp"

namespace tabel::db {
namespace {

using std::chrono::microseconds;

// Reads exactly `width` digits at `at`, advancing it.
std::optional<int> Digits(std::string_view text, size_t& at, size_t width) {
  if (at + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += width;
  return value;
}

bool Expect(std::string_view text, size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

std::string FormatTimestamp(std::chrono::system_clock::time_point time) {
  const auto micros = std::chrono::floor<microseconds>(time);
  const auto days = std::chrono::floor<std::chrono::days>(micros);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss clock{micros - days};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<long long>(clock.subseconds().count()));
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view text) {
  size_t at = 0;
  const auto year = Digits(text, at, 4);
  if (!year || !Expect(text, at, '-')) return std::nullopt;
  const auto month = Digits(text, at, 2);
  if (!month || !Expect(text, at, '-')) return std::nullopt;
  const auto day = Digits(text, at, 2);
  if (!day || !(Expect(text, at, 'T') || Expect(text, at, ' '))) return std::nullopt;
  const auto hour = Digits(text, at, 2);
  if (!hour || !Expect(text, at, ':')) return std::nullopt;
  const auto minute = Digits(text, at, 2);
  if (!minute || !Expect(text, at, ':')) return std::nullopt;
  const auto second = Digits(text, at, 2);
  if (!second || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

  long long fraction_us = 0;
  if (Expect(text, at, '.')) {
    int scale = 100000;
    size_t count = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      fraction_us += static_cast<long long>(text[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++count;
    }
    if (count == 0 || count > 9) return std::nullopt;
  }

  int offset_minutes = 0;
  if (!Expect(text, at, 'Z')) {
    if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return std::nullopt;
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    const auto offset_hours = Digits(text, at, 2);
    if (!offset_hours) return std::nullopt;
    int minutes = 0;
    if (at < text.size()) {
      Expect(text, at, ':');
      const auto parsed = Digits(text, at, 2);
      if (!parsed) return std::nullopt;
      minutes = *parsed;
    }
    offset_minutes = sign * (*offset_hours * 60 + minutes);
  }
  if (at != text.size()) return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  const auto local = std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
                     std::chrono::seconds{*second} + microseconds{fraction_us};
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      local - std::chrono::minutes{offset_minutes});
}

Date ParseStoredDate(std::string_view text, std::string_view column) {
  const auto date = ParseIsoDate(text.substr(0, 10));
  if (!date) throw Error::Internal(std::string(column) + ": malformed date '" + std::string(text) + "'");
  return *date;
}

std::chrono::system_clock::time_point ParseStoredTimestamp(std::string_view text, std::string_view column) {
  const auto at = ParseTimestamp(text);
  if (!at) throw Error::Internal(std::string(column) + ": malformed timestamp '" + std::string(text) + "'");
  return *at;
}

}  // namespace tabel::db

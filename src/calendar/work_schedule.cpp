#include "calendar/work_schedule.hpp"

#include <algorithm>
#include <charconv>

namespace tabel::calendar {
namespace {

constexpr int kMaxRunDays = 14;
constexpr int64_t kMaxShiftTenths = 240;
constexpr int64_t kPreholidayCutTenths = 10;

// Reads a whole number at the front of `text` and drops it; nullopt when
// there is none.
std::optional<int> TakeNumber(std::string_view& text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

bool TakeChar(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

// `tenths` × `rate_percent` / 100, rounded half up.
int64_t Scale(int64_t tenths, int rate_percent) { return (tenths * rate_percent + 50) / 100; }

}  // namespace

std::optional<ShiftPattern> ParseShiftPattern(std::string_view text) {
  ShiftPattern pattern;
  const std::optional<int> on = TakeNumber(text);
  if (!on || !TakeChar(text, '/')) return std::nullopt;
  const std::optional<int> off = TakeNumber(text);
  if (!off || !TakeChar(text, 'x')) return std::nullopt;
  const std::optional<int> hours = TakeNumber(text);
  if (!hours) return std::nullopt;
  int64_t tenths = int64_t{*hours} * 10;
  if (TakeChar(text, '.')) {
    if (text.size() != 1 || text.front() < '0' || text.front() > '9') return std::nullopt;
    tenths += text.front() - '0';
    text.remove_prefix(1);
  }
  if (!text.empty() || *on < 1 || *on > kMaxRunDays || *off < 1 || *off > kMaxRunDays || tenths < 1 ||
      tenths > kMaxShiftTenths) {
    return std::nullopt;
  }
  pattern.on_days = *on;
  pattern.off_days = *off;
  pattern.shift_tenths = tenths;
  return pattern;
}

WorkPattern MakePattern(int hours_per_week, const std::optional<std::string>& shift_pattern,
                        std::optional<Date> anchor) {
  WorkPattern pattern;
  pattern.hours_per_week = hours_per_week;
  if (shift_pattern) {
    pattern.shift = ParseShiftPattern(*shift_pattern);
    pattern.anchor = anchor.value_or(Date{});
  }
  return pattern;
}

PlannedDay PlanDay(const WorkPattern& pattern, int rate_percent, Date date, DayKind kind) {
  if (pattern.shift) {
    const ShiftPattern& shift = *pattern.shift;
    const int64_t cycle = shift.on_days + shift.off_days;
    const int64_t offset = ((date - pattern.anchor).count() % cycle + cycle) % cycle;
    if (offset >= shift.on_days) return {};
    return {true, Scale(shift.shift_tenths, rate_percent)};
  }
  if (!IsWorkingKind(kind)) return {};
  int64_t tenths = int64_t{pattern.hours_per_week} * 10 / 5;
  if (kind == DayKind::kPreholiday) tenths = std::max<int64_t>(0, tenths - kPreholidayCutTenths);
  return {true, Scale(tenths, rate_percent)};
}

}  // namespace tabel::calendar

#pragma once
// Work schedules: which days a person works and for how many hours.
//
//  * A five-day week of H hours (40, 36 or 24; any 1–40) follows the
//    production calendar: a working day lasts H/5 hours, a pre-holiday day
//    one hour less (art. 95), weekends, transferred days off and public
//    holidays are days off. The norms of production_calendar.hpp are the
//    sums of exactly these hours.
//  * A shift pattern "D/Ox12" (2/2 of 12 hours, 1/3 of 24 hours …) repeats
//    D working days and O days off from its anchor date, the first day of a
//    working run, in both directions; it ignores the production calendar
//    (continuous work: a shift on a holiday is worked and paid double, and
//    is not shortened before one — art. 95 part 3).
//  * A part-time rate (employees.employment_rate, percent) scales the hours
//    of every working day; a day keeps being a working day. Hours are
//    integer tenths, rounded half up.
//
// Thread-safety: pure functions and values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "calendar/production_calendar.hpp"
#include "common/date.hpp"

namespace tabel::calendar {

// "D/OxH": D working days, then O days off, H hours a shift.
struct ShiftPattern {
  int on_days = 0;
  int off_days = 0;
  int64_t shift_tenths = 0;
  bool operator==(const ShiftPattern&) const = default;
};

// Parses "2/2x12", "1/3x24", "3/3x11.5": 1–14 days each, shifts of 0.1 to
// 24 hours with at most one decimal. nullopt for anything else.
std::optional<ShiftPattern> ParseShiftPattern(std::string_view text);

// What a work_schedules row says.
struct WorkPattern {
  int hours_per_week = 40;
  // Set for shift schedules, with the first day of a working run.
  std::optional<ShiftPattern> shift;
  Date anchor{};
};

// The planned working time of one person on one day.
struct PlannedDay {
  bool working = false;
  int64_t hours_tenths = 0;  // 0 on a day off
  bool operator==(const PlannedDay&) const = default;
};

// The pattern of a work_schedules row; an unreadable shift pattern falls
// back to a five-day week of `hours_per_week`.
WorkPattern MakePattern(int hours_per_week, const std::optional<std::string>& shift_pattern,
                        std::optional<Date> anchor);

// The plan of `date`, whose production-calendar kind is `kind` (for the
// person's region), at `rate_percent` (1–100) of full time.
PlannedDay PlanDay(const WorkPattern& pattern, int rate_percent, Date date, DayKind kind);

}  // namespace tabel::calendar

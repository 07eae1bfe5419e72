#pragma once
// The daily timesheet engine: for one person and one month, the T-13 codes
// and hours of every day, and the totals of the month. Pure arithmetic over
// data already in memory, so that the whole company's month is computed in
// a fraction of a second (bench/analytics_engine_bench.cpp).
//
// A day of the month, in this order:
//  1. Outside employment (before the hire date, after the dismissal date —
//     the last working day): no entry.
//  2. The plan (calendar/work_schedule.hpp, for the person's region): a
//     working day is Я with the planned hours; a day off is В.
//  3. Exclusive activities (approved requests) replace the day with their
//     code and no hours:
//       kCalendarDays  every calendar day (К, Б, ДО, Р, ОЖ …; a business
//                      trip's weekend days are К unless worked);
//       kLeaveDays     every calendar day except the public holidays of the
//                      production calendar, which stay В (annual and
//                      additional leave, Labour Code art. 120).
//  4. Work activities, which may overlap the above (kWork): on a planned
//     working day the day is worked — Я with the planned hours (a remote
//     day changes nothing but its location); on a day off it is РВ with the
//     hours of a standard day of the schedule (work on a day off,
//     art. 153).
//  5. Overtime (kOvertime) adds a second entry, С with its hours: "Я 8 / С 2".
//  6. A correction by a timekeeper or hr replaces the whole day (one or two
//     entries) — the last word.
//
// Totals follow the form: days and hours worked in each half of the month
// (1–15, 16–end) and in the month (a day counts as worked when it has a
// worked or extra entry; hours sum both kinds), and per code the days and
// hours it covers.
// Hours are integer tenths everywhere.
// Thread-safety: pure functions and values.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "analytics/t13_codes.hpp"
#include "calendar/production_calendar.hpp"
#include "calendar/work_schedule.hpp"
#include "common/date.hpp"

namespace tabel::analytics {

struct DayEntry {
  CodeId code = kCodeDayOff;
  int32_t hours_tenths = 0;
  bool operator==(const DayEntry&) const = default;
};

// One day of one person: no entry when he was not employed that day.
struct TimesheetDay {
  std::array<DayEntry, 2> entries{};
  uint8_t count = 0;
  bool corrected = false;

  bool employed() const { return count > 0; }
  std::span<const DayEntry> Entries() const { return {entries.data(), count}; }
  bool operator==(const TimesheetDay&) const = default;
};

enum class ActivityRule : uint8_t { kCalendarDays, kLeaveDays, kWork, kOvertime };

struct ActivityInput {
  CodeId code = kCodeWorked;
  ActivityRule rule = ActivityRule::kCalendarDays;
  Date first{}, last{};      // inclusive; an open sick leave ends where the caller says
  int32_t hours_tenths = 0;  // overtime only
};

struct CorrectionInput {
  Date date{};
  std::array<DayEntry, 2> entries{};
  uint8_t count = 1;
};

struct PersonMonthInput {
  Date hire_date{};
  std::optional<Date> dismissal_date;
  int rate_percent = 100;
  calendar::WorkPattern pattern;
  // The production calendar's kind of every day of the month, for the
  // person's region; kinds.size() is the number of days of the month.
  std::span<const calendar::DayKind> kinds;
  std::span<const ActivityInput> activities;
  std::span<const CorrectionInput> corrections;
};

struct DaysHours {
  int32_t days = 0;
  int64_t hours_tenths = 0;
  bool operator==(const DaysHours&) const = default;
};

struct MonthTotals {
  std::array<DaysHours, 2> halves{};  // worked in days 1–15 and 16–end
  DaysHours month;                    // worked in the month
  std::array<DaysHours, kT13Codes.size()> by_code{};
  // The planned time of the whole month by the schedule (employment aside):
  // the person's norm.
  DaysHours norm;
  bool operator==(const MonthTotals&) const = default;
};

// The days of `month` for `input`, into `days` (one per day of the month:
// days.size() == input.kinds.size()).
void ComputeMonth(const PersonMonthInput& input, std::chrono::year_month month, std::span<TimesheetDay> days);

// The planned time of the whole of `month` for `input`'s schedule and rate,
// employment aside: his norm.
DaysHours NormOf(const PersonMonthInput& input, std::chrono::year_month month);

// The totals of `days` (as ComputeMonth made them), with `norm`.
MonthTotals Summarize(std::span<const TimesheetDay> days, DaysHours norm);

// The hours of a standard working day of `pattern` at `rate_percent`: a
// full day of a five-day week, or a shift.
int32_t StandardDayTenths(const calendar::WorkPattern& pattern, int rate_percent);

// The days of a month, first to last.
inline Date FirstDay(std::chrono::year_month month) { return Date{month / 1}; }
inline Date LastDay(std::chrono::year_month month) { return Date{month / std::chrono::last}; }
inline int DaysIn(std::chrono::year_month month) {
  return static_cast<int>(static_cast<unsigned>((month / std::chrono::last).day()));
}

}  // namespace tabel::analytics

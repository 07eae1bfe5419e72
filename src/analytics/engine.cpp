#include "analytics/engine.hpp"

#include <algorithm>

namespace tabel::analytics {
namespace {

constexpr int kFirstHalfDays = 15;

void SetSingle(TimesheetDay& day, CodeId code, int64_t hours_tenths) {
  day.entries[0] = {code, static_cast<int32_t>(hours_tenths)};
  day.entries[1] = {};
  day.count = 1;
}

}  // namespace

int32_t StandardDayTenths(const calendar::WorkPattern& pattern, int rate_percent) {
  if (pattern.shift) {
    return static_cast<int32_t>((pattern.shift->shift_tenths * rate_percent + 50) / 100);
  }
  return static_cast<int32_t>(
      calendar::PlanDay(pattern, rate_percent, Date{}, calendar::DayKind::kWorking).hours_tenths);
}

void ComputeMonth(const PersonMonthInput& input, std::chrono::year_month month,
                  std::span<TimesheetDay> days) {
  const Date first = FirstDay(month);
  const auto size = static_cast<int>(days.size());
  const auto index_of = [&](Date date) { return static_cast<int>((date - first).count()); };
  // The employed days, as indexes [begin, end).
  const int begin = std::clamp(index_of(input.hire_date), 0, size);
  const int end = input.dismissal_date ? std::clamp(index_of(*input.dismissal_date) + 1, begin, size) : size;

  for (int i = 0; i < size; ++i) {
    TimesheetDay& day = days[static_cast<size_t>(i)];
    day = {};
    if (i < begin || i >= end) continue;
    const calendar::PlannedDay plan =
        calendar::PlanDay(input.pattern, input.rate_percent, first + std::chrono::days{i}, input.kinds[i]);
    SetSingle(day, plan.working ? kCodeWorked : kCodeDayOff, plan.hours_tenths);
  }

  // The range of `activity` within the employed days, as indexes [lo, hi).
  const auto range_of = [&](const ActivityInput& activity) {
    return std::pair{std::max(index_of(activity.first), begin), std::min(index_of(activity.last) + 1, end)};
  };
  for (const ActivityInput& activity : input.activities) {
    if (activity.rule != ActivityRule::kCalendarDays && activity.rule != ActivityRule::kLeaveDays) continue;
    const auto [lo, hi] = range_of(activity);
    for (int i = lo; i < hi; ++i) {
      if (activity.rule == ActivityRule::kLeaveDays && input.kinds[i] == calendar::DayKind::kHoliday) {
        SetSingle(days[static_cast<size_t>(i)], kCodeDayOff, 0);
      } else {
        SetSingle(days[static_cast<size_t>(i)], activity.code, 0);
      }
    }
  }
  for (const ActivityInput& activity : input.activities) {
    if (activity.rule != ActivityRule::kWork) continue;
    const auto [lo, hi] = range_of(activity);
    for (int i = lo; i < hi; ++i) {
      const calendar::PlannedDay plan =
          calendar::PlanDay(input.pattern, input.rate_percent, first + std::chrono::days{i}, input.kinds[i]);
      if (plan.working) {
        SetSingle(days[static_cast<size_t>(i)], kCodeWorked, plan.hours_tenths);
      } else {
        SetSingle(days[static_cast<size_t>(i)], kCodeWeekendWork,
                  StandardDayTenths(input.pattern, input.rate_percent));
      }
    }
  }
  for (const ActivityInput& activity : input.activities) {
    if (activity.rule != ActivityRule::kOvertime) continue;
    const auto [lo, hi] = range_of(activity);
    for (int i = lo; i < hi; ++i) {
      TimesheetDay& day = days[static_cast<size_t>(i)];
      day.entries[1] = {activity.code, activity.hours_tenths};
      day.count = 2;
    }
  }
  for (const CorrectionInput& correction : input.corrections) {
    const int i = index_of(correction.date);
    if (i < begin || i >= end) continue;  // not employed that day: nothing to correct
    TimesheetDay& day = days[static_cast<size_t>(i)];
    day.entries = correction.entries;
    day.count = std::clamp<uint8_t>(correction.count, 1, 2);
    if (day.count == 1) day.entries[1] = {};
    day.corrected = true;
  }
}

DaysHours NormOf(const PersonMonthInput& input, std::chrono::year_month month) {
  DaysHours norm;
  const Date first = FirstDay(month);
  for (size_t i = 0; i < input.kinds.size(); ++i) {
    const calendar::PlannedDay plan = calendar::PlanDay(
        input.pattern, input.rate_percent, first + std::chrono::days{static_cast<int>(i)}, input.kinds[i]);
    if (!plan.working) continue;
    ++norm.days;
    norm.hours_tenths += plan.hours_tenths;
  }
  return norm;
}

MonthTotals Summarize(std::span<const TimesheetDay> days, DaysHours norm) {
  MonthTotals totals;
  totals.norm = norm;
  for (size_t i = 0; i < days.size(); ++i) {
    const TimesheetDay& day = days[i];
    bool worked = false;
    int64_t worked_tenths = 0;
    for (const DayEntry& entry : day.Entries()) {
      DaysHours& by_code = totals.by_code[entry.code];
      // A code repeated on one day ("Я 4 / Я 4" by a correction) is one day.
      if (&entry == day.entries.data() || day.entries[0].code != entry.code) ++by_code.days;
      by_code.hours_tenths += entry.hours_tenths;
      if (IsWork(entry.code)) {
        worked = true;
        worked_tenths += entry.hours_tenths;
      }
    }
    if (!worked) continue;
    DaysHours& half = totals.halves[i < kFirstHalfDays ? 0 : 1];
    ++half.days;
    half.hours_tenths += worked_tenths;
    ++totals.month.days;
    totals.month.hours_tenths += worked_tenths;
  }
  return totals;
}

}  // namespace tabel::analytics

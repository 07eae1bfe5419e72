#pragma once
// The Labour Code arithmetic of leave, without I/O: months of service,
// the monthly accrual, the days a vacation charges, the split-leave and
// first-leave rules. Unit-tested on hand-computed cases.
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calendar/holidays.hpp"
#include "common/date.hpp"
#include "management/model.hpp"

namespace tabel::management {

// Art. 115: 28 calendar days a year of annual paid leave.
inline constexpr int kAnnualLeaveDaysPerYear = 28;
// Art. 125: one part of a split annual leave is at least 14 days.
inline constexpr int kLongestPartMinimum = 14;

// `date` plus `months` calendar months; the day is clamped to the end of a
// shorter month (31 January + 1 month = 28 or 29 February).
Date AddMonths(Date date, int months);

// Days in [from, to], both included.
int DaysInclusive(Date from, Date to);

// Full months of service completed by the end of `through`, counted from
// `hire` (month k is complete once AddMonths(hire, k) - 1 day is worked);
// 0 before that.
int CompletedMonths(Date hire, Date through);

// Months counted for the compensation of unused leave at dismissal on
// `last_day`: the completed months, plus one when the rest is half a month
// (15 days) or more (the Rules of 30 April 1930 No. 169, p. 35).
int MonthsForCompensation(Date hire, Date last_day);

// The accrual, in centidays, of the k-th month of service (k >= 1) for
// `days_per_year`: cumulative amounts are rounded, so that twelve months
// add up to exactly days_per_year.
int64_t MonthlyAccrual(int month, int days_per_year = kAnnualLeaveDaysPerYear);
// The sum of the first `months` monthly accruals.
int64_t AccruedFor(int months, int days_per_year = kAnnualLeaveDaysPerYear);

// Calendar days of [start, end] minus the public holidays inside (art. 120).
int ChargeableDays(const calendar::HolidayCalendar& holidays, Date start, Date end,
                   const std::optional<std::string>& region);

// Art. 125: whether the parts of a year's annual leave (this request's
// `days` and the other pending or approved parts starting that year) can
// still include one of kLongestPartMinimum days: true when one of them
// does, or when the entitlement left after them still allows one.
bool SplitLeaveAllowsLongPart(int days, const std::vector<int>& other_parts);

}  // namespace tabel::management

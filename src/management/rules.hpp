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

// Working years run from the hire date: the k-th (k >= 1) from
// AddMonths(hire, 12 (k - 1)) to the day before AddMonths(hire, 12 k).
// The start of the working year containing `on` (the hire date before it).
Date WorkingYearStart(Date hire, Date on);

// The annual accrual of months of service (posted, due] as "accrual"
// entries of the annual balance, one per working year they fall in, each
// effective on the last day of its last month: a year's days are credited
// inside that year.
std::vector<LedgerEntry> AccrualEntries(Date hire, int posted, int due);

// What happens to annual leave not used in its working year. The Labour
// Code lets none of it lapse (the default: everything carries over); a
// company may cap what a year carries into the next, and let a year's days
// lapse some months after the year ends.
struct LapsePolicy {
  std::optional<int> carry_over_days;  // at most this many days pass into the next year; nullopt: all
  int expiry_months = 0;               // a year's days lapse this long after it ends; 0: never
  bool Any() const { return carry_over_days.has_value() || expiry_months > 0; }
};

// Days of the annual balance that lapse on `on` (centidays > 0), and why.
struct Lapse {
  Date on{};
  int64_t centidays = 0;
  int working_year = 0;
  bool over_carry_over = false;  // true: the cap at the year's end; false: the expiry months after it
  std::string Comment(const LapsePolicy& policy) const;
};

// The lapses due on days in (after, through] (since the hire date when
// `after` is nullopt). `entries` are the annual balance's entries — opening,
// accrual and positive adjustments credit it; usage, return, compensation
// and negative adjustments debit it; "expiry" entries are earlier lapses —
// including the accrual due by `through` that is not posted yet. Leave
// taken uses the oldest days first, so the days of working years up to k
// still unused on a day D are the credits effective before the end of year
// k, less the debits effective before D and the days lapsed already.
std::vector<Lapse> LapsesDue(const LapsePolicy& policy, Date hire, const std::vector<LedgerEntry>& entries,
                             std::optional<Date> after, Date through);

// The days of earlier working years the working year containing `on`
// started with, after the carry-over cap (0 in the first year).
int64_t CarriedOver(Date hire, const std::vector<LedgerEntry>& entries, Date on);

// Art. 125: whether the parts of a year's annual leave (this request's
// `days` and the other pending or approved parts starting that year) can
// still include one of kLongestPartMinimum days: true when one of them
// does, or when the entitlement left after them still allows one.
bool SplitLeaveAllowsLongPart(int days, const std::vector<int>& other_parts);

}  // namespace tabel::management

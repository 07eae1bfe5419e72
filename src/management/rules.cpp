#include "management/rules.hpp"

#include <algorithm>
#include <numeric>

namespace tabel::management {

using std::chrono::days;
using std::chrono::year_month_day;

Date AddMonths(Date date, int months) {
  const year_month_day ymd(date);
  const std::chrono::year_month shifted = ymd.year() / ymd.month() + std::chrono::months{months};
  const auto last = (shifted / std::chrono::last).day();
  return Date(shifted / std::min(ymd.day(), last));
}

int DaysInclusive(Date from, Date to) { return static_cast<int>((to - from).count()) + 1; }

int CompletedMonths(Date hire, Date through) {
  if (through < hire) return 0;
  // A first guess from the calendar months between, corrected by at most one.
  const year_month_day a(hire), b(through);
  int months = (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
               (static_cast<int>(static_cast<unsigned>(b.month())) -
                static_cast<int>(static_cast<unsigned>(a.month())));
  months = std::max(months + 1, 0);
  while (months > 0 && AddMonths(hire, months) - days{1} > through) --months;
  return months;
}

int MonthsForCompensation(Date hire, Date last_day) {
  if (last_day < hire) return 0;
  const int months = CompletedMonths(hire, last_day);
  const int rest = DaysInclusive(AddMonths(hire, months), last_day);
  return months + (rest >= 15 ? 1 : 0);
}

int64_t AccruedFor(int months, int days_per_year) {
  // round(days_per_year * 100 * months / 12), half up, in integers.
  const int64_t numerator = int64_t{days_per_year} * kCentidaysPerDay * months;
  return (numerator * 2 + 12) / 24;
}

int64_t MonthlyAccrual(int month, int days_per_year) {
  return AccruedFor(month, days_per_year) - AccruedFor(month - 1, days_per_year);
}

int ChargeableDays(const calendar::HolidayCalendar& holidays, Date start, Date end,
                   const std::optional<std::string>& region) {
  if (end < start) return 0;
  return DaysInclusive(start, end) - calendar::CountPublicHolidays(holidays, start, end, region);
}

bool SplitLeaveAllowsLongPart(int days_requested, const std::vector<int>& other_parts) {
  if (days_requested >= kLongestPartMinimum) return true;
  if (std::any_of(other_parts.begin(), other_parts.end(), [](int d) { return d >= kLongestPartMinimum; })) {
    return true;
  }
  const int taken = std::accumulate(other_parts.begin(), other_parts.end(), days_requested);
  return kAnnualLeaveDaysPerYear - taken >= kLongestPartMinimum;
}

}  // namespace tabel::management

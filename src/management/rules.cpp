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

Date WorkingYearStart(Date hire, Date on) {
  if (on < hire) return hire;
  // Year k + 1 starts on AddMonths(hire, 12 k): the day after month 12 k is complete.
  const int years = CompletedMonths(hire, on - days{1}) / 12;
  return AddMonths(hire, 12 * years);
}

std::vector<LedgerEntry> AccrualEntries(Date hire, int posted, int due) {
  std::vector<LedgerEntry> entries;
  for (int first = posted + 1; first <= due;) {
    const int last = std::min(due, ((first - 1) / 12 + 1) * 12);  // the last month of first's working year
    LedgerEntry entry;
    entry.kind = std::string(kAnnual);
    entry.entry = "accrual";
    entry.centidays = AccruedFor(last) - AccruedFor(first - 1);
    entry.effective_on = AddMonths(hire, last) - days{1};
    entry.comment = "months " + std::to_string(first) + "–" + std::to_string(last) + " of service";
    entries.push_back(std::move(entry));
    first = last + 1;
  }
  return entries;
}

namespace {

enum class Role { kCredit, kDebit, kLapse };

Role RoleOf(const LedgerEntry& e) {
  if (e.entry == "expiry") return Role::kLapse;
  if (e.entry == "opening" || e.entry == "accrual" || (e.entry == "adjustment" && e.centidays > 0)) {
    return Role::kCredit;
  }
  return Role::kDebit;
}

// The sum of the entries of `role` effective before `before`.
int64_t SumBefore(const std::vector<LedgerEntry>& entries, Role role, Date before) {
  int64_t sum = 0;
  for (const LedgerEntry& e : entries) {
    if (RoleOf(e) == role && e.effective_on < before) sum += e.centidays;
  }
  return sum;
}

}  // namespace

std::string Lapse::Comment(const LapsePolicy& policy) const {
  const std::string year = "working year " + std::to_string(working_year);
  if (over_carry_over) {
    return "unused days of " + year + " beyond the " + std::to_string(policy.carry_over_days.value_or(0)) +
           " carried over";
  }
  return "days of " + year + " not used within " + std::to_string(policy.expiry_months) +
         " months after it ended";
}

std::vector<Lapse> LapsesDue(const LapsePolicy& policy, Date hire, const std::vector<LedgerEntry>& entries,
                             std::optional<Date> after, Date through) {
  std::vector<Lapse> events;
  if (!policy.Any()) return events;
  for (int year = 1;; ++year) {
    const Date end = AddMonths(hire, 12 * year);  // the first day after working year `year`
    if (end > through) break;
    if (policy.carry_over_days) events.push_back({.on = end, .working_year = year, .over_carry_over = true});
    if (policy.expiry_months > 0) {
      const Date expiry = AddMonths(end, policy.expiry_months);
      if (expiry <= through) events.push_back({.on = expiry, .working_year = year});
    }
  }
  // In date order; on one day the cap of the year ending comes after an
  // earlier year's expiry (either order lapses the same days).
  std::stable_sort(events.begin(), events.end(), [](const Lapse& a, const Lapse& b) { return a.on < b.on; });
  int64_t lapsed = -SumBefore(entries, Role::kLapse, Date::max());
  std::vector<Lapse> due;
  for (Lapse& event : events) {
    if (after && event.on <= *after) continue;
    const Date year_end = AddMonths(hire, 12 * event.working_year);
    const int64_t unused =
        SumBefore(entries, Role::kCredit, year_end) + SumBefore(entries, Role::kDebit, event.on) - lapsed;
    const int64_t kept =
        event.over_carry_over ? int64_t{*policy.carry_over_days} * kCentidaysPerDay : int64_t{0};
    if (unused <= kept) continue;
    event.centidays = unused - kept;
    lapsed += event.centidays;
    due.push_back(event);
  }
  return due;
}

int64_t CarriedOver(Date hire, const std::vector<LedgerEntry>& entries, Date on) {
  const Date start = WorkingYearStart(hire, on);
  if (start <= hire) return 0;
  const int64_t left = SumBefore(entries, Role::kCredit, start) + SumBefore(entries, Role::kDebit, start) +
                       SumBefore(entries, Role::kLapse, start + days{1});
  return std::max<int64_t>(left, 0);
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

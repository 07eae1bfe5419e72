#pragma once
// Which days are non-working public holidays: what other services ask of
// the production calendar. A vacation does not count them (Labour Code
// art. 120), and the timesheet marks them.
//
// StatutoryHolidays is the federal list of Labour Code art. 112, which is
// fixed by law rather than by the yearly decree; the production calendar
// (transferred days off, shortened days, regional holidays as overlays)
// implements the same interface and replaces it where it is wired in
// (app/app.cpp).
// Thread-safety: implementations are safe from any thread and never block
// (callers may hold a database transaction): StatutoryHolidays is
// immutable, ProductionCalendar answers from an immutable snapshot of hr's
// edits that it swaps atomically.

#include <optional>
#include <string>

#include "common/date.hpp"

namespace tabel::calendar {

class HolidayCalendar {
 public:
  virtual ~HolidayCalendar() = default;
  // Whether `date` is a non-working public holiday for an employee of
  // `region` (nullopt: federal holidays only).
  virtual bool IsPublicHoliday(Date date, const std::optional<std::string>& region) const = 0;
};

// Art. 112: 1–6 and 8 January (New Year holidays), 7 January, 23 February,
// 8 March, 1 May, 9 May, 12 June, 4 November. No regional holidays.
class StatutoryHolidays final : public HolidayCalendar {
 public:
  bool IsPublicHoliday(Date date, const std::optional<std::string>& region) const override;
};

// How many days of [from, to] (inclusive) are public holidays; 0 if to < from.
int CountPublicHolidays(const HolidayCalendar& calendar, Date from, Date to,
                        const std::optional<std::string>& region);

}  // namespace tabel::calendar

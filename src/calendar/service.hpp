#pragma once
// The calendar service's rules, without HTTP: the production calendar as an
// employee of a region sees it, and hr's edits of its days.
//
// Reads answer from the ProductionCalendar in memory, never the database.
// An edit (production_calendar.write) is written with its audit row in one
// transaction (CalendarRepository), then the edits are reloaded into the
// calendar before the call returns, so this process answers with it at
// once; other replicas pick it up through their CalendarRefresher
// (calendar/refresher.hpp) within its interval.
//
// Thread-safety: safe from any thread. Reads do not block; SetDay,
// DeleteDay and Refresh block on the database (run them on the blocking
// pool). Errors: tabel::Error — Forbidden (without
// production_calendar.write), NotFound (a year without data to read, no
// edit to remove), Unprocessable (a date outside the year, too many
// edits), and the repository's.
//
// A year without shipped data may be edited too (a region announcing its
// holiday before the decree ships): KindOf and IsPublicHoliday honour the
// edit — so a vacation over it is charged right — while GET of that year
// stays a 404 until its data ships.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calendar/production_calendar.hpp"
#include "calendar/repository.hpp"
#include "common/actor.hpp"

namespace tabel::calendar {

// The edit of one day asked for.
struct DayChange {
  int year = 0;  // the year of the path: `date` must lie in it
  Date date;
  DayKind kind = DayKind::kWorking;
  std::string name;
  std::optional<std::string> region;  // nullopt: federal
};

// One day as an employee of `region` sees it, and the edit in effect on it.
struct DayView {
  Date date;
  DayKind kind = DayKind::kWorking;
  std::optional<std::string> region;  // nullopt: federal
  std::optional<DayEdit> edit;
};

class CalendarService {
 public:
  CalendarService(ProductionCalendar& calendar, CalendarRepository& repository);

  // The year with the edits of `region` (nullopt: federal ones) applied.
  EffectiveYear Year(int year, const std::optional<std::string>& region) const;
  // The edits of `year` (with data or not): of `region` only, or all when
  // nullopt.
  std::vector<DayEdit> Edits(int year, const std::optional<std::string>& region) const;

  // Sets the edit of (change.region, change.date) and answers the day as
  // that region sees it now.
  DayView SetDay(const Actor& actor, const DayChange& change);
  // Removes the edit of (region, date) of `year`; answers the day as that
  // region sees it now.
  DayView DeleteDay(const Actor& actor, int year, Date date, const std::optional<std::string>& region);

  // Reads the revision of the edits and, when it differs from the
  // calendar's, reloads them; returns whether it did.
  bool Refresh();

 private:
  // `date` must lie in `year` (Unprocessable).
  static void CheckDay(int year, Date date);
  // Reloads every edit into the calendar.
  void Reload();
  DayView DayOf(Date date, const std::optional<std::string>& region) const;

  ProductionCalendar& calendar_;
  CalendarRepository& repository_;
};

}  // namespace tabel::calendar

#pragma once
// The calendar service's HTTP surface (authentication required):
//   GET /api/v1/production-calendar/{year}[?region=R]   every day's kind and
//       the norms of the year, its months and quarters (calendar/json.hpp),
//       with the federal edits and R's applied; 404 for a year without
//       data, 400 for a year that is not one.
//   GET /api/v1/production-calendar/{year}/edits[?region=R]   the edits of
//       the year: R's only, or all ({"items", "next_cursor": null}).
//   PUT /api/v1/production-calendar/{year}/days/{date}
//       {"kind", "name", "region": "R" or null (federal)}   sets the day's
//       edit (production_calendar.write); answers the day as R sees it.
//   DELETE /api/v1/production-calendar/{year}/days/{date}[?region=R]
//       removes the edit (404 when there is none); answers the day.
// The production calendar is public law, not personal data: any
// authenticated caller reads it, whatever his roles. Reads answer from
// memory on the io thread; writes run on the blocking pool. A region is
// the exact text of employees.region (1–100 characters). The service and
// pool must outlive the router's use.

#include "calendar/service.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::calendar {

// Bodies are one day's edit.
inline constexpr size_t kCalendarBodyLimit = 4096;
inline constexpr size_t kMaxRegionLength = 100;
inline constexpr size_t kMaxEditNameLength = 200;

void RegisterRoutes(http::Router& router, CalendarService& service, http::BlockingPool& pool);

}  // namespace tabel::calendar

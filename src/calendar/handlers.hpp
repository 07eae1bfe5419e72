#pragma once
// The calendar service's HTTP surface (authentication required):
//   GET /api/v1/production-calendar/{year}   every day's kind and the norms
//       of the year, its months and quarters (calendar/json.hpp); 404 for a
//       year without data, 400 for a year that is not one.
// The production calendar is public law, not personal data: any
// authenticated caller reads it, whatever his roles. It lives in memory, so
// handlers answer on the io thread. The calendar must outlive the router's use.

#include "calendar/production_calendar.hpp"
#include "http/router.hpp"

namespace tabel::calendar {

void RegisterRoutes(http::Router& router, const ProductionCalendar& calendar);

}  // namespace tabel::calendar

#pragma once
// The calendar views' HTTP surface (authentication required; access as
// calendar/views.hpp says):
//   GET /api/v1/calendar?department_id&subtree&from&to&limit&cursor
//       the team calendar: per person per day a code; the caller's own
//       department by default, this month by default, at most 93 days;
//   GET /api/v1/calendar/away?department_id&subtree&period=today|week&date
//       who is away on a day or in its week (Monday to Sunday);
//   GET /api/v1/employees/{id}/calendar?from&to
//       a person's calendar, this month by default, at most 366 days;
//   POST /api/v1/me/calendar-feed   a new secret token for the caller's
//       iCalendar feeds, with their URLs (the old token stops working);
//   DELETE /api/v1/me/calendar-feed   ends them;
//   GET /api/v1/calendar-feed/personal.ics?token
//   GET /api/v1/calendar-feed/team.ics?token&department_id&subtree
//       the feeds (text/calendar), authenticated by the token alone
//       (calendar/feeds.hpp).
// The views and feeds must outlive the router's use.

#include "calendar/feeds.hpp"
#include "calendar/views.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::calendar {

void RegisterViewRoutes(http::Router& router, CalendarViews& views, CalendarFeeds& feeds,
                        http::BlockingPool& pool);

}  // namespace tabel::calendar

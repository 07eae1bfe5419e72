#pragma once
// The timesheet's HTTP surface (authentication required; access as
// analytics/service.hpp says):
//   GET    /api/v1/timesheets/{department_id}/{month}?format=json|xlsx|csv&subtree
//          the T-13 of a department for a month ("2026-11");
//   GET    /api/v1/employees/{id}/timesheet/{month}   a person's month;
//   PUT    /api/v1/employees/{id}/timesheet/days/{date}
//          {"entries": [{"code", "hours"}, …], "reason"}   corrects a day;
//   DELETE /api/v1/employees/{id}/timesheet/days/{date}?reason   removes it;
//   GET    /api/v1/timesheet-periods/{month}            the closings of a month;
//   POST   /api/v1/timesheet-periods/{month}/close  {"department_id"?}
//   POST   /api/v1/timesheet-periods/{month}/reopen {"department_id"?, "reason"}
//          (no department: the whole company);
//   GET    /api/v1/departments/{id}/timekeepers,
//   PUT    /api/v1/departments/{id}/timekeepers/{employee_id},
//   DELETE /api/v1/departments/{id}/timekeepers/{employee_id}.
// The service must outlive the router's use.

#include "analytics/service.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::analytics {

void RegisterRoutes(http::Router& router, TimesheetService& service, http::BlockingPool& pool);

}  // namespace tabel::analytics

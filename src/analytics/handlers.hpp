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
// Reports (analytics/reports.hpp):
//   GET    /api/v1/reports/{kind}?department_id&from&to&format
//          hours | absences | payroll of one department, at once;
//   POST   /api/v1/report-jobs {"kind", "from", "to"?, "format"?,
//          "department_id"?, "subtree"?}  Idempotency-Key optional -> 202;
//   GET    /api/v1/report-jobs, /api/v1/report-jobs/{id},
//   POST   /api/v1/report-jobs/{id}/cancel,
//   GET    /api/v1/report-jobs/{id}/file.
// The services must outlive the router's use.

#include "analytics/reports.hpp"
#include "analytics/service.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::analytics {

void RegisterRoutes(http::Router& router, TimesheetService& service, http::BlockingPool& pool);
void RegisterReportRoutes(http::Router& router, ReportService& service, http::BlockingPool& pool);

}  // namespace tabel::analytics

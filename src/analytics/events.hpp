#pragma once
// The timesheet's queue consumer: request events that may change a closed
// month (analytics/service.hpp CarryRequest).
// Thread-safety: safe from any worker thread, as the service is.

#include "analytics/reports.hpp"
#include "analytics/service.hpp"
#include "infra/bus/message.hpp"

namespace tabel::analytics {

// The queue and the topics it consumes.
inline constexpr const char* kCarryQueue = "timesheet.carry";

// Handles a request.approved / .cancelled / .closed event. A payload that
// is not one is logged by the worker as a failure (tabel::Error, internal)
// and dead-lettered after its retries.
void OnRequestEvent(TimesheetService& service, const bus::Delivery& delivery);

// Runs the report job a report.requested message names (ReportService::Run;
// the queue's last attempt fails the job).
void OnReportRequested(ReportService& service, const bus::Delivery& delivery);

}  // namespace tabel::analytics

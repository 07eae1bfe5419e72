#pragma once
// The management service's HTTP surface (all routes require authentication):
//   GET   /api/v1/request-types             every type
//   POST  /api/v1/request-types             request_types.manage -> 201
//   GET   /api/v1/request-types/{code}      -> ETag
//   PATCH /api/v1/request-types/{code}      If-Match required
//   POST  /api/v1/requests                  Idempotency-Key optional -> 201, Location, ETag
//   GET   /api/v1/requests                  ?employee_id&status&type&from&to&limit&cursor
//   GET   /api/v1/requests/{id}             -> ETag
//   PATCH /api/v1/requests/{id}             a draft; If-Match required
//   GET   /api/v1/requests/{id}/history
//   POST  /api/v1/requests/{id}/submit|approve|reject|withdraw|cancel   {"comment"?}; If-Match optional
//   POST  /api/v1/requests/{id}/close       {"end_date", "comment"?}: ends an open sick leave
//   GET   /api/v1/approvals                 the caller's queue
//   GET   /api/v1/employees/{id}/balances
//   GET   /api/v1/employees/{id}/balance-entries   ?kind&limit&cursor
//   POST  /api/v1/employees/{id}/balance-adjustments  {"kind","days","comment"}
// Handlers parse, make one ManagementService call on the blocking pool and
// serialize; the service and pool must outlive the router's use.

#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "management/service.hpp"

namespace tabel::management {

inline constexpr size_t kManagementBodyLimit = size_t{16} * 1024;

void RegisterRoutes(http::Router& router, ManagementService& service, http::BlockingPool& pool);

}  // namespace tabel::management

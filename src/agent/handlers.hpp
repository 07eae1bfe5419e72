#pragma once
// The agent service's HTTP surface (agent/service.hpp):
//   POST /api/v1/resignation-letters   multipart/form-data: `file` (PDF, PNG,
//        JPEG or TIFF, at most 20 MiB), `employee_id` (hr, for someone
//        else); Idempotency-Key; 201 with the letter, `processing`;
//   GET  /api/v1/resignation-letters?status&employee_id&limit&cursor
//        the letters the caller may read, by id;
//   GET  /api/v1/resignation-letters/{id}        status, fields, problems,
//        request_id (and, for hr, how the decision was reached);
//   GET  /api/v1/resignation-letters/{id}/file   the file as it came;
//   POST /api/v1/resignation-letters/{id}/accept {"comment"?}   hr;
//   POST /api/v1/resignation-letters/{id}/reject {"reason"}     hr;
//        both take If-Match.
// The service must outlive the router's use.

#include "agent/service.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::agent {

void RegisterRoutes(http::Router& router, AgentService& service, http::BlockingPool& pool);

}  // namespace tabel::agent

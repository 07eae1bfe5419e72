#pragma once
// The users service's HTTP surface (all routes require authentication):
//   GET  /api/v1/employees        ?q&department_id&subtree&include_dismissed&limit&cursor
//   POST /api/v1/employees        -> 201, Location, ETag
//   GET  /api/v1/employees/{id}   -> ETag
//   PATCH /api/v1/employees/{id}  If-Match required
//   GET  /api/v1/departments      ?parent_id&roots&limit&cursor
//   POST /api/v1/departments
//   GET  /api/v1/departments/{id}
//   PATCH /api/v1/departments/{id}  If-Match required
//   GET  /api/v1/positions, POST /api/v1/positions
//   GET  /api/v1/work-schedules
// Handlers parse, make one UsersService call on the blocking pool and
// serialize; the service and pool must outlive the router's use.

#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "users/service.hpp"

namespace tabel::users {

inline constexpr size_t kUsersBodyLimit = size_t{16} * 1024;

void RegisterRoutes(http::Router& router, UsersService& service, http::BlockingPool& pool);

}  // namespace tabel::users

#pragma once
// The auth service's administration surface (all routes require
// authentication; AdminService decides who may do what):
//   GET   /api/v1/accounts               ?q(login prefix)&limit&cursor
//   POST  /api/v1/accounts               {login,password,employee_id?,roles} -> 201, Location, ETag
//   GET   /api/v1/accounts/{id}          -> ETag
//   PATCH /api/v1/accounts/{id}          {roles?,disabled?}, If-Match required -> ETag
//   POST  /api/v1/accounts/{id}/password {new_password} -> 204
//   GET   /api/v1/roles                  -> {"items":[Role],"next_cursor":null}
//   POST  /api/v1/roles                  {code,name,permissions:[{permission,scope}]} -> 201
//   GET   /api/v1/delegations            ?limit&cursor
//   POST  /api/v1/delegations            {deputy_employee_id,starts_on,ends_on} -> 201
//   DELETE /api/v1/delegations/{id}      -> 204
//   GET   /api/v1/audit-log              ?account_id&object_type&object_id&action&from&to&limit&cursor
// Lists are {"items":[…],"next_cursor":…}; the audit log is newest first
// and its cursor is the id of the last item.
// Handlers parse, make one AdminService call on the blocking pool and
// serialize; the service and pool must outlive the router's use.

#include "auth/admin_service.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::auth {

inline constexpr size_t kAdminBodyLimit = size_t{16} * 1024;

void RegisterAdminRoutes(http::Router& router, AdminService& service, http::BlockingPool& pool);

}  // namespace tabel::auth

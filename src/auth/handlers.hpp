#pragma once
// The auth service's HTTP surface:
//   POST /api/v1/auth/login    {"login","password"}   -> 200 TokenPair   (public)
//   POST /api/v1/auth/refresh  {"refresh_token"}      -> 200 TokenPair   (public)
//   POST /api/v1/auth/logout   {"refresh_token"}      -> 204             (public)
//   GET  /api/v1/me                                   -> 200 {"id","employee_id","login","roles"}
//   POST /api/v1/me/password   {"old_password","new_password"} -> 204
// where TokenPair is {"access_token","refresh_token","token_type":"Bearer","expires_in"}.
// Handlers parse and validate, make one AuthService call on the blocking
// pool and serialize; errors are tabel::Error, mapped by the server.
// The service and the pool must outlive the router's use.

#include "auth/service.hpp"
#include "common/actor.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace tabel::auth {

// Largest body of the public auth routes.
inline constexpr size_t kAuthBodyLimit = 4096;

void RegisterRoutes(http::Router& router, AuthService& service, http::BlockingPool& pool);

// The server's authentication hook: reads "Authorization: Bearer <token>",
// runs AuthService::Authenticate on the pool and stores the tabel::Identity
// in Request::identity. A missing or malformed header is Error::Unauthorized.
http::Authenticator MakeAuthenticator(AuthService& service, http::BlockingPool& pool);

// The Identity the authenticator stored; throws Error::Unauthorized when
// there is none (a handler of a public route asked for it).
const Identity& RequireIdentity(const http::Request& request);

// The caller with the request's client address and id, for services that
// authorize and audit. Throws like RequireIdentity.
Actor ActorOf(const http::Request& request);

}  // namespace tabel::auth

#include "auth/handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "http/json_body.hpp"
#include "http/resource.hpp"

namespace tabel::auth {
namespace {

using http::Request;
using http::Response;

// Generous bounds for the fields; the service applies the real rules.
constexpr size_t kMaxLoginField = 200;
constexpr size_t kMaxPasswordField = kMaxPasswordBytes;
constexpr size_t kMaxTokenField = 8192;

nlohmann::json TokenPairJson(const TokenPair& pair) {
  return {{"access_token", pair.access_token},
          {"refresh_token", pair.refresh_token},
          {"token_type", pair.token_type},
          {"expires_in", pair.expires_in.count()}};
}

// The value of the single required string member `name` of the body.
std::string ReadTokenField(const Request& request, std::string_view name) {
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  auto value = fields.String(name, true, kMaxTokenField);
  fields.Finish();
  return std::move(*value);
}

Task<Response> HandleLogin(AuthService* service, http::BlockingPool* pool, Request request) {
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  auto login = fields.String("login", true, kMaxLoginField);
  auto password = fields.String("password", true, kMaxPasswordField);
  if (login && login->empty()) fields.Add("login", "must not be empty");
  fields.Finish();
  auto call = [service, login = std::move(*login), password = std::move(*password),
               client = request.client_address] { return service->Login(login, password, client); };
  auto task = pool->Run(std::move(call));
  const TokenPair pair = co_await std::move(task);
  co_return Response::Json(TokenPairJson(pair));
}

Task<Response> HandleRefresh(AuthService* service, http::BlockingPool* pool, Request request) {
  std::string token = ReadTokenField(request, "refresh_token");
  auto call = [service, token = std::move(token)] { return service->Refresh(token); };
  auto task = pool->Run(std::move(call));
  const TokenPair pair = co_await std::move(task);
  co_return Response::Json(TokenPairJson(pair));
}

Task<Response> HandleLogout(AuthService* service, http::BlockingPool* pool, Request request) {
  std::string token = ReadTokenField(request, "refresh_token");
  auto call = [service, token = std::move(token)] { service->Logout(token); };
  auto task = pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

Task<Response> HandleMe(Request request) {
  const Identity& identity = RequireIdentity(request);
  nlohmann::json body = {{"id", identity.account_id},
                         {"employee_id", nullptr},
                         {"login", identity.login},
                         {"roles", identity.roles}};
  if (identity.employee_id) body["employee_id"] = *identity.employee_id;
  co_return Response::Json(body);
}

Task<Response> HandleChangePassword(AuthService* service, http::BlockingPool* pool, Request request) {
  Actor actor = ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  auto old_password = fields.String("old_password", true, kMaxPasswordField);
  auto new_password = fields.String("new_password", true, kMaxPasswordField);
  fields.Finish();
  auto call = [service, actor = std::move(actor), old_password = std::move(*old_password),
               new_password = std::move(*new_password)] {
    service->ChangePassword(actor, old_password, new_password);
  };
  auto task = pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

// The token of "Bearer <token>" (scheme case-insensitive), or empty.
std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kScheme[i]) return {};
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.find(' ') != std::string_view::npos) return {};
  return token;
}

Task<void> Authenticate(AuthService* service, http::BlockingPool* pool, Request* request) {
  const auto header = request->Header("Authorization");
  if (!header) throw Error::Unauthorized("An Authorization: Bearer token is required.");
  const std::string_view token = BearerToken(*header);
  if (token.empty()) throw Error::Unauthorized("The Authorization header must be 'Bearer <token>'.");
  // Verifying a token is CPU work of microseconds (an HMAC, or one RSA
  // verification), done here: a caller whose identity is cached costs no
  // hop to the blocking pool, which only loads accounts.
  if (auto cached = service->AuthenticateCached(token)) {
    request->identity = std::move(*cached);
    co_return;
  }
  auto call = [service, token = std::string(token)] { return service->Authenticate(token); };
  auto task = pool->Run(std::move(call));
  Identity identity = co_await std::move(task);
  request->identity = std::move(identity);
}

}  // namespace

const Identity& RequireIdentity(const http::Request& request) {
  const Identity* identity = std::any_cast<Identity>(&request.identity);
  if (identity == nullptr) throw Error::Unauthorized();
  return *identity;
}

Actor ActorOf(const http::Request& request) {
  return {RequireIdentity(request), request.client_address, request.request_id};
}

void RegisterRoutes(http::Router& router, AuthService& service, http::BlockingPool& pool) {
  const http::RouteOptions public_route{.max_body_bytes = kAuthBodyLimit, .public_route = true};
  const http::RouteOptions private_route{.max_body_bytes = kAuthBodyLimit, .public_route = false};
  AuthService* service_ptr = &service;
  http::BlockingPool* pool_ptr = &pool;
  router.Add(
      http::Verb::post, "/api/v1/auth/login",
      [service_ptr, pool_ptr](Request request) {
        return HandleLogin(service_ptr, pool_ptr, std::move(request));
      },
      public_route);
  router.Add(
      http::Verb::post, "/api/v1/auth/refresh",
      [service_ptr, pool_ptr](Request request) {
        return HandleRefresh(service_ptr, pool_ptr, std::move(request));
      },
      public_route);
  router.Add(
      http::Verb::post, "/api/v1/auth/logout",
      [service_ptr, pool_ptr](Request request) {
        return HandleLogout(service_ptr, pool_ptr, std::move(request));
      },
      public_route);
  router.Add(
      http::Verb::get, "/api/v1/me", [](Request request) { return HandleMe(std::move(request)); },
      private_route);
  router.Add(
      http::Verb::post, "/api/v1/me/password",
      [service_ptr, pool_ptr](Request request) {
        return HandleChangePassword(service_ptr, pool_ptr, std::move(request));
      },
      private_route);
}

http::Authenticator MakeAuthenticator(AuthService& service, http::BlockingPool& pool) {
  AuthService* service_ptr = &service;
  http::BlockingPool* pool_ptr = &pool;
  return [service_ptr, pool_ptr](http::Request& request) {
    return Authenticate(service_ptr, pool_ptr, &request);
  };
}

}  // namespace tabel::auth

#include "auth/admin_handlers.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "auth/handlers.hpp"
#include "auth/permissions.hpp"
#include "http/etag.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::auth {
namespace {

using http::Request;
using http::Response;

// Generous bounds for the fields; the service applies the real rules.
constexpr size_t kMaxLoginField = 200;
constexpr size_t kMaxRoles = 20;
constexpr size_t kMaxRoleCode = 100;
constexpr size_t kMaxRoleName = 200;
constexpr size_t kMaxGrants = 100;
constexpr size_t kMaxAuditText = 100;
constexpr int64_t kMaxId = int64_t{1} << 53;

struct Deps {
  AdminService* service;
  http::BlockingPool* pool;
};

nlohmann::json OptionalId(const std::optional<int64_t>& id) {
  return id ? nlohmann::json(*id) : nlohmann::json();
}

nlohmann::json OptionalText(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

nlohmann::json AccountJson(const AccountView& account) {
  return {{"id", account.id},
          {"login", account.login},
          {"employee_id", OptionalId(account.employee_id)},
          {"disabled", account.disabled},
          {"roles", account.roles},
          {"version", account.version}};
}

nlohmann::json RoleJson(const RoleView& role) {
  nlohmann::json permissions = nlohmann::json::array();
  for (const PermissionGrant& grant : role.permissions) {
    permissions.push_back({{"permission", grant.permission}, {"scope", ScopeName(grant.scope)}});
  }
  return {{"code", role.code}, {"name", role.name}, {"builtin", role.builtin}, {"permissions", permissions}};
}

nlohmann::json DelegationJson(const Delegation& delegation) {
  return {{"id", delegation.id},
          {"manager_employee_id", delegation.manager_employee_id},
          {"deputy_employee_id", delegation.deputy_employee_id},
          {"starts_on", FormatIsoDate(delegation.starts_on)},
          {"ends_on", FormatIsoDate(delegation.ends_on)},
          {"revoked_at", delegation.revoked_at ? nlohmann::json(db::FormatTimestamp(*delegation.revoked_at))
                                               : nlohmann::json()}};
}

nlohmann::json AuditJson(const audit::Record& record) {
  return {{"id", record.id},
          {"at", db::FormatTimestamp(record.at)},
          {"account_id", OptionalId(record.account_id)},
          {"action", record.action},
          {"object_type", record.object_type},
          {"object_id", OptionalText(record.object_id)},
          {"client", OptionalText(record.client)},
          {"request_id", OptionalText(record.request_id)},
          {"details", record.details}};
}

// The grants of a role body: [{"permission": <known name>, "scope":
// "self"|"subtree"|"all"}], each problem named by its position.
std::vector<PermissionGrant> ParseGrants(const nlohmann::json& body, http::JsonFields& fields) {
  constexpr std::string_view kName = "permissions";
  const bool present = fields.Contains(kName);
  if (!present || fields.IsNull(kName)) {
    fields.Add(std::string(kName), "is required");
    return {};
  }
  const nlohmann::json& value = body.at(std::string(kName));
  if (!value.is_array() || value.size() > kMaxGrants) {
    fields.Add(std::string(kName), "must be an array of at most " + std::to_string(kMaxGrants) + " grants");
    return {};
  }
  std::vector<PermissionGrant> grants;
  std::set<std::string> seen;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string at = std::string(kName) + "[" + std::to_string(i) + "]";
    const nlohmann::json& item = value[i];
    if (!item.is_object()) {
      fields.Add(at, "must be an object {permission, scope}");
      continue;
    }
    for (const auto& member : item.items()) {
      if (member.key() != "permission" && member.key() != "scope") {
        fields.Add(at + "." + member.key(), "is not a known field");
      }
    }
    const auto permission = item.find("permission");
    const auto scope = item.find("scope");
    std::optional<Scope> parsed_scope;
    if (scope == item.end() || !scope->is_string() ||
        !(parsed_scope = ParseScope(scope->get_ref<const std::string&>()))) {
      fields.Add(at + ".scope", "must be self, subtree or all");
    }
    if (permission == item.end() || !permission->is_string() ||
        !IsKnownPermission(permission->get_ref<const std::string&>())) {
      fields.Add(at + ".permission", "must be a known permission name");
      continue;
    }
    const std::string& name = permission->get_ref<const std::string&>();
    if (!seen.insert(name).second) {
      fields.Add(at + ".permission", "is listed twice");
      continue;
    }
    if (parsed_scope) grants.push_back({name, *parsed_scope});
  }
  return grants;
}

Task<Response> ListAccounts(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  http::QueryFields params(request);
  AccountQuery query;
  const http::PageRequest page = params.Page();
  query.limit = page.limit;
  query.after = page.after;
  query.login_prefix = params.String("q", kMaxLoginField);
  if (query.login_prefix && query.login_prefix->empty()) params.Add("q", "must not be empty");
  params.Finish();
  auto call = [deps, actor = std::move(actor), query = std::move(query)] {
    return deps.service->ListAccounts(actor, query);
  };
  auto task = deps.pool->Run(std::move(call));
  const http::Page<AccountView> result = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(result.items, AccountJson), result.next_after));
}

Task<Response> CreateAccount(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  NewAccountRequest account;
  auto login = fields.String("login", true, kMaxLoginField);
  auto password = fields.String("password", true, kMaxPasswordBytes);
  account.employee_id = fields.Int("employee_id", false, 1, kMaxId);
  auto roles = fields.TextArray("roles", true, kMaxRoles, kMaxRoleCode);
  fields.Finish();
  account.login = std::move(*login);
  account.password = std::move(*password);
  account.roles = std::move(*roles);
  auto call = [deps, actor = std::move(actor), account = std::move(account)] {
    return deps.service->CreateAccount(actor, account);
  };
  auto task = deps.pool->Run(std::move(call));
  const AccountView created = co_await std::move(task);
  co_return http::Created(AccountJson(created), "/api/v1/accounts/" + std::to_string(created.id),
                          created.version);
}

Task<Response> GetAccount(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = ActorOf(request);
  auto call = [deps, actor = std::move(actor), id] { return deps.service->GetAccount(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  const AccountView account = co_await std::move(task);
  co_return http::WithETag(Response::Json(AccountJson(account)), account.version);
}

Task<Response> PatchAccount(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  AccountChanges changes;
  changes.roles = fields.TextArray("roles", false, kMaxRoles, kMaxRoleCode);
  changes.disabled = fields.Bool("disabled", false);
  bool only_known = true;
  for (const auto& member : body.items()) {
    if (member.key() != "roles" && member.key() != "disabled") only_known = false;
  }
  if (fields.ok() && only_known && !changes.roles && !changes.disabled) {
    fields.Add("body", "must change roles or disabled");
  }
  fields.Finish();
  const int64_t version = http::RequireIfMatch(request);
  auto call = [deps, actor = std::move(actor), changes = std::move(changes), id, version] {
    return deps.service->UpdateAccount(actor, id, version, changes);
  };
  auto task = deps.pool->Run(std::move(call));
  const AccountView account = co_await std::move(task);
  co_return http::WithETag(Response::Json(AccountJson(account)), account.version);
}

Task<Response> ResetPassword(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  auto password = fields.String("new_password", true, kMaxPasswordBytes);
  fields.Finish();
  auto call = [deps, actor = std::move(actor), password = std::move(*password), id] {
    deps.service->ResetPassword(actor, id, password);
  };
  auto task = deps.pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

Task<Response> ListRoles(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.service->ListRoles(actor); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<RoleView> roles = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(roles, RoleJson), std::nullopt));
}

Task<Response> CreateRole(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  NewRole role;
  auto code = fields.Text("code", true, kMaxRoleCode);
  auto name = fields.Text("name", true, kMaxRoleName);
  role.permissions = ParseGrants(body, fields);
  fields.Finish();
  role.code = std::move(*code);
  role.name = std::move(*name);
  auto call = [deps, actor = std::move(actor), role = std::move(role)] {
    return deps.service->CreateRole(actor, role);
  };
  auto task = deps.pool->Run(std::move(call));
  const RoleView created = co_await std::move(task);
  co_return http::Created(RoleJson(created), "/api/v1/roles");
}

Task<Response> ListDelegations(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  http::QueryFields params(request);
  const http::PageRequest page = params.Page();
  params.Finish();
  auto call = [deps, actor = std::move(actor), page] {
    return deps.service->ListDelegations(actor, page.limit, page.after);
  };
  auto task = deps.pool->Run(std::move(call));
  const http::Page<Delegation> result = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(result.items, DelegationJson), result.next_after));
}

Task<Response> CreateDelegation(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  auto deputy = fields.Int("deputy_employee_id", true, 1, kMaxId);
  auto starts_on = fields.IsoDate("starts_on", true);
  auto ends_on = fields.IsoDate("ends_on", true);
  fields.Finish();
  auto call = [deps, actor = std::move(actor), deputy = *deputy, starts_on = *starts_on, ends_on = *ends_on] {
    return deps.service->CreateDelegation(actor, deputy, starts_on, ends_on);
  };
  auto task = deps.pool->Run(std::move(call));
  const Delegation created = co_await std::move(task);
  co_return http::Created(DelegationJson(created), "/api/v1/delegations/" + std::to_string(created.id));
}

Task<Response> RevokeDelegation(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = ActorOf(request);
  auto call = [deps, actor = std::move(actor), id] { deps.service->RevokeDelegation(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

Task<Response> ListAudit(Deps deps, Request request) {
  Actor actor = ActorOf(request);
  http::QueryFields params(request);
  AuditQuery query;
  const http::PageRequest page = params.Page();
  query.limit = page.limit;
  query.before_id = page.after;
  query.account_id = params.Int("account_id", 1, kMaxId);
  query.object_type = params.String("object_type", kMaxAuditText);
  query.object_id = params.String("object_id", kMaxAuditText);
  query.action = params.String("action", kMaxAuditText);
  query.from = params.IsoDate("from");
  query.to = params.IsoDate("to");
  if (query.from && query.to && *query.to < *query.from) params.Add("to", "must not be before from");
  params.Finish();
  auto call = [deps, actor = std::move(actor), query = std::move(query)] {
    return deps.service->ListAudit(actor, query);
  };
  auto task = deps.pool->Run(std::move(call));
  const http::Page<audit::Record> result = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(result.items, AuditJson), result.next_after));
}

}  // namespace

void RegisterAdminRoutes(http::Router& router, AdminService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions options{.max_body_bytes = kAdminBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/accounts", http::Bind<ListAccounts>(deps), options);
  router.Add(http::Verb::post, "/api/v1/accounts", http::Bind<CreateAccount>(deps), options);
  router.Add(http::Verb::get, "/api/v1/accounts/{id}", http::Bind<GetAccount>(deps), options);
  router.Add(http::Verb::patch, "/api/v1/accounts/{id}", http::Bind<PatchAccount>(deps), options);
  router.Add(http::Verb::post, "/api/v1/accounts/{id}/password", http::Bind<ResetPassword>(deps), options);
  router.Add(http::Verb::get, "/api/v1/roles", http::Bind<ListRoles>(deps), options);
  router.Add(http::Verb::post, "/api/v1/roles", http::Bind<CreateRole>(deps), options);
  router.Add(http::Verb::get, "/api/v1/delegations", http::Bind<ListDelegations>(deps), options);
  router.Add(http::Verb::post, "/api/v1/delegations", http::Bind<CreateDelegation>(deps), options);
  router.Add(http::Verb::delete_, "/api/v1/delegations/{id}", http::Bind<RevokeDelegation>(deps), options);
  router.Add(http::Verb::get, "/api/v1/audit-log", http::Bind<ListAudit>(deps), options);
}

}  // namespace tabel::auth

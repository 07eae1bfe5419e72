#include "users/handlers.hpp"

#include <nlohmann/json.hpp>

#include "auth/handlers.hpp"
#include "http/etag.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"
#include "users/json.hpp"

namespace tabel::users {
namespace {

using http::Request;
using http::Response;

struct Deps {
  UsersService* service;
  http::BlockingPool* pool;
};

Task<Response> ListEmployees(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  EmployeeQuery query;
  query.page = params.Page();
  query.text = params.String("q", 200);
  query.department_id = params.Int("department_id", 1, int64_t{1} << 53);
  query.subtree = params.Bool("subtree").value_or(false);
  query.include_dismissed = params.Bool("include_dismissed").value_or(false);
  if (query.subtree && !query.department_id) params.Add("subtree", "needs department_id");
  if (query.text && query.text->empty()) params.Add("q", "must not be empty");
  params.Finish();
  auto call = [deps, actor = std::move(actor), query = std::move(query)] {
    return deps.service->ListEmployees(actor, query);
  };
  auto task = deps.pool->Run(std::move(call));
  const Page<Employee> page = co_await std::move(task);
  co_return Response::JsonText(EmployeePageJsonText(page.items, page.next_after));
}

Task<Response> GetEmployee(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  auto call = [deps, actor = std::move(actor), id] { return deps.service->GetEmployee(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  const Employee employee = co_await std::move(task);
  co_return http::WithETag(Response::JsonText(EmployeeJsonText(employee)), employee.version);
}

Task<Response> CreateEmployee(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  EmployeeChanges fields = ParseEmployeeChanges(http::ParseJsonObject(request), /*creating=*/true);
  auto call = [deps, actor = std::move(actor), fields = std::move(fields)] {
    return deps.service->CreateEmployee(actor, fields);
  };
  auto task = deps.pool->Run(std::move(call));
  const Employee employee = co_await std::move(task);
  co_return http::Created(EmployeeJson(employee), "/api/v1/employees/" + std::to_string(employee.id),
                          employee.version);
}

Task<Response> PatchEmployee(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  EmployeeChanges changes = ParseEmployeeChanges(http::ParseJsonObject(request), /*creating=*/false);
  const int64_t version = http::RequireIfMatch(request);
  auto call = [deps, actor = std::move(actor), changes = std::move(changes), id, version] {
    return deps.service->UpdateEmployee(actor, id, version, changes);
  };
  auto task = deps.pool->Run(std::move(call));
  const Employee employee = co_await std::move(task);
  co_return http::WithETag(Response::JsonText(EmployeeJsonText(employee)), employee.version);
}

Task<Response> ListDepartments(Deps deps, Request request) {
  auth::RequireIdentity(request);
  http::QueryFields params(request);
  DepartmentQuery query;
  query.page = params.Page();
  query.parent_id = params.Int("parent_id", 1, int64_t{1} << 53);
  query.roots = params.Bool("roots").value_or(false);
  params.Finish();
  auto call = [deps, query] { return deps.service->ListDepartments(query); };
  auto task = deps.pool->Run(std::move(call));
  const Page<Department> page = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(page.items, DepartmentJson), page.next_after));
}

Task<Response> GetDepartment(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  auth::RequireIdentity(request);
  auto call = [deps, id] { return deps.service->GetDepartment(id); };
  auto task = deps.pool->Run(std::move(call));
  const Department department = co_await std::move(task);
  co_return http::WithETag(Response::Json(DepartmentJson(department)), department.version);
}

Task<Response> CreateDepartment(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  DepartmentChanges fields = ParseDepartmentChanges(http::ParseJsonObject(request), /*creating=*/true);
  auto call = [deps, actor = std::move(actor), fields = std::move(fields)] {
    return deps.service->CreateDepartment(actor, fields);
  };
  auto task = deps.pool->Run(std::move(call));
  const Department department = co_await std::move(task);
  co_return http::Created(DepartmentJson(department), "/api/v1/departments/" + std::to_string(department.id),
                          department.version);
}

Task<Response> PatchDepartment(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  DepartmentChanges changes = ParseDepartmentChanges(http::ParseJsonObject(request), /*creating=*/false);
  const int64_t version = http::RequireIfMatch(request);
  auto call = [deps, actor = std::move(actor), changes = std::move(changes), id, version] {
    return deps.service->UpdateDepartment(actor, id, version, changes);
  };
  auto task = deps.pool->Run(std::move(call));
  const Department department = co_await std::move(task);
  co_return http::WithETag(Response::Json(DepartmentJson(department)), department.version);
}

Task<Response> ListPositions(Deps deps, Request request) {
  auth::RequireIdentity(request);
  http::QueryFields(request).Finish();
  auto call = [deps] { return deps.service->ListPositions(); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<Position> positions = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(positions, PositionJson), std::nullopt));
}

Task<Response> CreatePosition(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  auto name = fields.Text("name", true, 200);
  fields.Finish();
  auto call = [deps, actor = std::move(actor), name = std::move(*name)] {
    return deps.service->CreatePosition(actor, name);
  };
  auto task = deps.pool->Run(std::move(call));
  const Position position = co_await std::move(task);
  co_return http::Created(PositionJson(position), "/api/v1/positions/" + std::to_string(position.id));
}

Task<Response> ListSchedules(Deps deps, Request request) {
  auth::RequireIdentity(request);
  http::QueryFields(request).Finish();
  auto call = [deps] { return deps.service->ListSchedules(); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<WorkSchedule> schedules = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(schedules, ScheduleJson), std::nullopt));
}

}  // namespace

void RegisterRoutes(http::Router& router, UsersService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions options{.max_body_bytes = kUsersBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/employees", http::Bind<ListEmployees>(deps), options);
  router.Add(http::Verb::post, "/api/v1/employees", http::Bind<CreateEmployee>(deps), options);
  router.Add(http::Verb::get, "/api/v1/employees/{id}", http::Bind<GetEmployee>(deps), options);
  router.Add(http::Verb::patch, "/api/v1/employees/{id}", http::Bind<PatchEmployee>(deps), options);
  router.Add(http::Verb::get, "/api/v1/departments", http::Bind<ListDepartments>(deps), options);
  router.Add(http::Verb::post, "/api/v1/departments", http::Bind<CreateDepartment>(deps), options);
  router.Add(http::Verb::get, "/api/v1/departments/{id}", http::Bind<GetDepartment>(deps), options);
  router.Add(http::Verb::patch, "/api/v1/departments/{id}", http::Bind<PatchDepartment>(deps), options);
  router.Add(http::Verb::get, "/api/v1/positions", http::Bind<ListPositions>(deps), options);
  router.Add(http::Verb::post, "/api/v1/positions", http::Bind<CreatePosition>(deps), options);
  router.Add(http::Verb::get, "/api/v1/work-schedules", http::Bind<ListSchedules>(deps), options);
}

}  // namespace tabel::users

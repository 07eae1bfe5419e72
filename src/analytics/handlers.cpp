#include "analytics/handlers.hpp"

#include "analytics/json.hpp"
#include "analytics/report.hpp"
#include "analytics/t13_export.hpp"
#include "auth/handlers.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"

namespace tabel::analytics {
namespace {

using http::Request;
using http::Response;

constexpr size_t kReadBodyLimit = 1024;
constexpr size_t kWriteBodyLimit = 4096;
constexpr int64_t kMaxId = int64_t{1} << 53;

struct Deps {
  TimesheetService* service;
  http::BlockingPool* pool;
};

// The path parameter `name` as a month "YYYY-MM".
std::chrono::year_month PathMonth(const Request& request, std::string_view name = "month") {
  const std::optional<std::chrono::year_month> month = ParseMonth(request.PathParam(name));
  if (!month) {
    throw Error::BadRequest("The month must be YYYY-MM.", {{std::string(name), "must be a month YYYY-MM"}});
  }
  return *month;
}

Date PathDate(const Request& request, std::string_view name) {
  const std::optional<Date> date = ParseIsoDate(request.PathParam(name));
  if (!date)
    throw Error::BadRequest("The date must be YYYY-MM-DD.",
                            {{std::string(name), "must be a date YYYY-MM-DD"}});
  return *date;
}

// "t13-<department>-<month>.<ext>".
std::string FileName(const T13Document& document, std::string_view ext) {
  return "t13-" + std::to_string(document.department_id) + "-" + FormatMonth(document.month) + "." +
         std::string(ext);
}

Task<Response> GetT13(Deps deps, Request request) {
  const int64_t department_id = http::PathId(request, "department_id");
  const std::chrono::year_month month = PathMonth(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  const bool subtree = params.Bool("subtree").value_or(false);
  const std::string format = params.String("format", 8).value_or("json");
  if (format != "json" && format != "xlsx" && format != "csv")
    params.Add("format", "must be json, xlsx or csv");
  params.Finish();
  auto call = [deps, actor = std::move(actor), department_id, subtree, month, format]() -> Response {
    const T13Document document = deps.service->Department(actor, department_id, subtree, month);
    if (format == "xlsx") {
      return http::Attachment(T13Xlsx(document), std::string(ContentTypeOf(ReportFormat::kXlsx)),
                              FileName(document, "xlsx"));
    }
    if (format == "csv") {
      return http::Attachment(T13Csv(document), std::string(ContentTypeOf(ReportFormat::kCsv)),
                              FileName(document, "csv"));
    }
    return Response::JsonText(T13JsonText(document));
  };
  auto task = deps.pool->Run(std::move(call));
  co_return co_await std::move(task);
}

Task<Response> GetPersonMonth(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  const std::chrono::year_month month = PathMonth(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id, month] { return deps.service->Person(actor, id, month); };
  auto task = deps.pool->Run(std::move(call));
  const PersonMonth result = co_await std::move(task);
  co_return Response::JsonText(PersonMonthJsonText(result));
}

Task<Response> PutCorrection(Deps deps, Request request) {
  CorrectionRequest correction;
  correction.employee_id = http::PathId(request);
  correction.date = PathDate(request, "date");
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  correction.reason = fields.Text("reason", true, kMaxReasonLength).value_or("");
  std::vector<FieldError> errors;
  const auto entries = body.find("entries");
  correction.entries = ParseEntries(entries == body.end() ? nullptr : &*entries, errors);
  fields.IsNull("entries");  // read above
  for (FieldError& error : errors) fields.Add(std::move(error.field), std::move(error.message));
  fields.Finish();
  auto call = [deps, actor = std::move(actor), correction = std::move(correction)] {
    return deps.service->Correct(actor, correction);
  };
  auto task = deps.pool->Run(std::move(call));
  const Correction saved = co_await std::move(task);
  co_return Response::Json(CorrectionJson(saved));
}

Task<Response> DeleteCorrection(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  const Date date = PathDate(request, "date");
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  std::string reason = params.String("reason", kMaxReasonLength).value_or("");
  if (reason.empty()) params.Add("reason", "is required");
  params.Finish();
  auto call = [deps, actor = std::move(actor), id, date, reason = std::move(reason)] {
    deps.service->RemoveCorrection(actor, id, date, reason);
  };
  auto task = deps.pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

Task<Response> GetClosings(Deps deps, Request request) {
  const std::chrono::year_month month = PathMonth(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), month] { return deps.service->Closings(actor, month); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<Closing> closings = co_await std::move(task);
  co_return Response::Json({{"items", http::ItemsJson(closings, ClosingJson)}});
}

// {"department_id"?: id or null, and "reason" when `reason`}.
std::pair<std::optional<int64_t>, std::string> PeriodBody(const Request& request, bool reason) {
  const nlohmann::json body =
      request.body.empty() ? nlohmann::json::object() : http::ParseJsonObject(request);
  http::JsonFields fields(body);
  std::optional<int64_t> department_id;
  if (!fields.IsNull("department_id")) department_id = fields.Int("department_id", false, 1, kMaxId);
  std::string text;
  if (reason) text = fields.Text("reason", true, kMaxReasonLength).value_or("");
  fields.Finish();
  return {department_id, text};
}

Task<Response> PostClose(Deps deps, Request request) {
  const std::chrono::year_month month = PathMonth(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  const auto [department_id, unused] = PeriodBody(request, false);
  auto call = [deps, actor = std::move(actor), month, department_id = department_id] {
    return deps.service->Close(actor, month, department_id);
  };
  auto task = deps.pool->Run(std::move(call));
  const Closing closing = co_await std::move(task);
  co_return Response::Json(ClosingJson(closing), http::Status::created);
}

Task<Response> PostReopen(Deps deps, Request request) {
  const std::chrono::year_month month = PathMonth(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto [department_id, reason] = PeriodBody(request, true);
  auto call = [deps, actor = std::move(actor), month, department_id = department_id,
               reason = std::move(reason)] {
    return deps.service->Reopen(actor, month, department_id, reason);
  };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<Closing> closings = co_await std::move(task);
  co_return Response::Json({{"items", http::ItemsJson(closings, ClosingJson)}});
}

Task<Response> GetTimekeepers(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id] { return deps.service->Timekeepers(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<TimesheetPerson> people = co_await std::move(task);
  co_return Response::Json({{"items", http::ItemsJson(people, TimekeeperJson)}});
}

Task<Response> PutTimekeeper(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  const int64_t employee_id = http::PathId(request, "employee_id");
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id, employee_id] {
    deps.service->AssignTimekeeper(actor, id, employee_id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

Task<Response> DeleteTimekeeper(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  const int64_t employee_id = http::PathId(request, "employee_id");
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id, employee_id] {
    deps.service->UnassignTimekeeper(actor, id, employee_id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

}  // namespace

void RegisterRoutes(http::Router& router, TimesheetService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions read{.max_body_bytes = kReadBodyLimit, .public_route = false};
  const http::RouteOptions write{.max_body_bytes = kWriteBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/timesheets/{department_id}/{month}", http::Bind<GetT13>(deps), read);
  router.Add(http::Verb::get, "/api/v1/employees/{id}/timesheet/{month}", http::Bind<GetPersonMonth>(deps),
             read);
  router.Add(http::Verb::put, "/api/v1/employees/{id}/timesheet/days/{date}", http::Bind<PutCorrection>(deps),
             write);
  router.Add(http::Verb::delete_, "/api/v1/employees/{id}/timesheet/days/{date}",
             http::Bind<DeleteCorrection>(deps), read);
  router.Add(http::Verb::get, "/api/v1/timesheet-periods/{month}", http::Bind<GetClosings>(deps), read);
  router.Add(http::Verb::post, "/api/v1/timesheet-periods/{month}/close", http::Bind<PostClose>(deps), write);
  router.Add(http::Verb::post, "/api/v1/timesheet-periods/{month}/reopen", http::Bind<PostReopen>(deps),
             write);
  router.Add(http::Verb::get, "/api/v1/departments/{id}/timekeepers", http::Bind<GetTimekeepers>(deps), read);
  router.Add(http::Verb::put, "/api/v1/departments/{id}/timekeepers/{employee_id}",
             http::Bind<PutTimekeeper>(deps), read);
  router.Add(http::Verb::delete_, "/api/v1/departments/{id}/timekeepers/{employee_id}",
             http::Bind<DeleteTimekeeper>(deps), read);
}

}  // namespace tabel::analytics

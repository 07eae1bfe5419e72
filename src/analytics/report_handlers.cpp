#include "analytics/handlers.hpp"
#include "analytics/json.hpp"
#include "auth/handlers.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"

namespace tabel::analytics {
namespace {

using http::Request;
using http::Response;

constexpr size_t kReadBodyLimit = 1024;
constexpr int64_t kMaxId = int64_t{1} << 53;

struct Deps {
  ReportService* service;
  http::BlockingPool* pool;
};

// What a report is asked for with, read from a query or a body: `text`
// reads a parameter as text (recording it missing when required), `add`
// records a problem.
template <class Text, class Add>
std::optional<std::chrono::year_month> Month(Text&& text, Add&& add, std::string_view name, bool required) {
  const std::optional<std::string> value = text(name, required);
  if (!value) return std::nullopt;
  const std::optional<std::chrono::year_month> month = ParseMonth(*value);
  if (!month) add(std::string(name), "must be a month YYYY-MM");
  return month;
}

// kind (from the path or the body: nullopt when missing, already
// recorded), from and to (to defaults to from), format.
template <class Text, class Add>
std::pair<ReportSpec, ReportFormat> SpecOf(const std::optional<std::string>& kind, Text&& text, Add&& add) {
  ReportSpec spec;
  const std::optional<ReportKind> parsed = kind ? ParseReportKind(*kind) : std::nullopt;
  if (kind && !parsed) add("kind", "must be hours, absences or payroll");
  spec.kind = parsed.value_or(ReportKind::kHours);
  const auto from = Month(text, add, "from", true);
  const auto to = Month(text, add, "to", false);
  spec.from = from.value_or(std::chrono::year_month{});
  spec.to = to.value_or(spec.from);
  ReportFormat format = ReportFormat::kJson;
  if (const std::optional<std::string> name = text("format", false)) {
    const std::optional<ReportFormat> parsed_format = ParseReportFormat(*name);
    if (!parsed_format) add("format", "must be json, xlsx or csv");
    format = parsed_format.value_or(ReportFormat::kJson);
  }
  return {spec, format};
}

Response FileResponse(ReportFile file) {
  return http::Attachment(std::move(file.bytes), std::string(ContentTypeOf(file.format)), file.name);
}

Task<Response> GetReport(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  const auto add = [&](std::string field, std::string message) {
    params.Add(std::move(field), std::move(message));
  };
  const auto text = [&](std::string_view name, bool required) {
    std::optional<std::string> value = params.String(name, 16);
    if (!value && required) add(std::string(name), "is required");
    return value;
  };
  auto [spec, format] = SpecOf(std::string(request.PathParam("kind")), text, add);
  spec.department_id = params.Int("department_id", 1, kMaxId);
  if (!request.Query("department_id")) {
    params.Add("department_id",
               "is required: a report of more departments is a job (POST /api/v1/report-jobs)");
  }
  if (params.Bool("subtree").value_or(false)) {
    params.Add("subtree", "must be false: a report of more departments is a job (POST /api/v1/report-jobs)");
  }
  params.Finish();
  auto call = [deps, actor = std::move(actor), spec = spec, format = format] {
    return deps.service->Build(actor, spec, format);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return FileResponse(co_await std::move(task));
}

std::string JobLocation(const ReportJob& job) { return "/api/v1/report-jobs/" + job.id; }

Task<Response> PostJob(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  std::optional<std::string> key = http::IdempotencyKey(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  const auto text = [&](std::string_view name, bool required) { return fields.String(name, required, 16); };
  const auto add = [&](std::string field, std::string message) {
    fields.Add(std::move(field), std::move(message));
  };
  auto [spec, format] = SpecOf(fields.String("kind", true, 16), text, add);
  if (!fields.IsNull("department_id")) spec.department_id = fields.Int("department_id", false, 1, kMaxId);
  spec.subtree = fields.Bool("subtree", false).value_or(false);
  if (spec.subtree && !spec.department_id) fields.Add("subtree", "needs a department_id");
  fields.Finish();
  auto call = [deps, actor = std::move(actor), spec = spec, format = format, key = std::move(key)] {
    return deps.service->Submit(actor, spec, format, key);
  };
  auto task = deps.pool->Run(std::move(call));
  const auto [job, replayed] = co_await std::move(task);
  Response response =
      Response::Json(ReportJobJson(job), replayed ? http::Status::ok : http::Status::accepted);
  response.headers.emplace_back("Location", JobLocation(job));
  http::MarkReplayed(response, replayed);
  co_return response;
}

Task<Response> GetJobs(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.service->Jobs(actor); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<ReportJob> jobs = co_await std::move(task);
  co_return Response::Json({{"items", http::ItemsJson(jobs, ReportJobJson)}, {"next_cursor", nullptr}});
}

// {id} of a job: any text (an id that is not a UUID is simply not found).
std::string JobId(const Request& request) { return std::string(request.PathParam("id").substr(0, 64)); }

Task<Response> GetJob(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id = JobId(request)] { return deps.service->Job(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(ReportJobJson(co_await std::move(task)));
}

Task<Response> PostCancel(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id = JobId(request)] {
    return deps.service->Cancel(actor, id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(ReportJobJson(co_await std::move(task)));
}

Task<Response> GetFile(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id = JobId(request)] {
    return deps.service->Download(actor, id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return FileResponse(co_await std::move(task));
}

}  // namespace

void RegisterReportRoutes(http::Router& router, ReportService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions read{.max_body_bytes = kReadBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/reports/{kind}", http::Bind<GetReport>(deps), read);
  router.Add(http::Verb::post, "/api/v1/report-jobs", http::Bind<PostJob>(deps), read);
  router.Add(http::Verb::get, "/api/v1/report-jobs", http::Bind<GetJobs>(deps), read);
  router.Add(http::Verb::get, "/api/v1/report-jobs/{id}", http::Bind<GetJob>(deps), read);
  router.Add(http::Verb::post, "/api/v1/report-jobs/{id}/cancel", http::Bind<PostCancel>(deps), read);
  router.Add(http::Verb::get, "/api/v1/report-jobs/{id}/file", http::Bind<GetFile>(deps), read);
}

}  // namespace tabel::analytics

#include "calendar/handlers.hpp"

#include <charconv>

#include "auth/handlers.hpp"
#include "calendar/json.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"

namespace tabel::calendar {
namespace {

using http::Request;
using http::Response;

struct Deps {
  CalendarService* service;
  http::BlockingPool* pool;
};

// The {year} of the path: a year the product accepts dates in.
int PathYear(const Request& request) {
  const std::string_view text = request.PathParam("year");
  const int min = static_cast<int>(kMinYear);
  const int max = static_cast<int>(kMaxYear);
  int year = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (error != std::errc() || end != text.data() + text.size() || year < min || year > max) {
    const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
    throw Error::BadRequest("The year in the path must be a year " + range + ".",
                            {{"year", "must be a year " + range}});
  }
  return year;
}

// The {date} of the path.
Date PathDate(const Request& request) {
  const std::optional<Date> date = ParseIsoDate(request.PathParam("date"));
  if (!date) {
    throw Error::BadRequest("The date in the path must be a date YYYY-MM-DD.",
                            {{"date", "must be a date YYYY-MM-DD between 1900-01-01 and 2199-12-31"}});
  }
  return *date;
}

// Why `region` is not a region, or empty when it is one.
std::string RegionProblem(const std::string& region) {
  if (region.find_first_not_of(" \t") == std::string::npos) return "must not be empty";
  if (!IsValidUtf8(region)) return "must be UTF-8 text";
  if (HasControlCharacters(region)) return "must not contain control characters";
  return {};
}

// The ?region= of a query, the only parameter taken.
std::optional<std::string> QueryRegion(const Request& request) {
  http::QueryFields query(request);
  std::optional<std::string> region = query.String("region", kMaxRegionLength);
  if (region) {
    const std::string problem = RegionProblem(*region);
    if (!problem.empty()) query.Add("region", problem);
  }
  query.Finish();
  return region;
}

// {"kind", "name", "region"} of a PUT.
DayChange ParseDayChange(const Request& request, int year, Date date) {
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  DayChange change;
  change.year = year;
  change.date = date;
  if (const auto kind = fields.String("kind", true, 20)) {
    if (const auto parsed = DayKindNamed(*kind)) {
      change.kind = *parsed;
    } else {
      fields.Add("kind", "must be one of working, weekend, holiday, preholiday");
    }
  }
  change.name = fields.Text("name", true, kMaxEditNameLength).value_or("");
  if (const auto region = fields.NullableText("region", kMaxRegionLength)) change.region = *region;
  fields.Finish();
  return change;
}

Task<Response> GetYear(Deps deps, Request request) {
  auth::RequireIdentity(request);
  const int year = PathYear(request);
  const std::optional<std::string> region = QueryRegion(request);
  const EffectiveYear effective = deps.service->Year(year, region);
  co_return Response::Json(CalendarYearJson(effective.year, effective.edits, region));
}

Task<Response> ListEdits(Deps deps, Request request) {
  auth::RequireIdentity(request);
  const int year = PathYear(request);
  const std::optional<std::string> region = QueryRegion(request);
  const std::vector<DayEdit> edits = deps.service->Edits(year, region);
  co_return Response::Json(http::PageJson(http::ItemsJson(edits, EditJson), std::nullopt));
}

Task<Response> PutDay(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  const int year = PathYear(request);
  DayChange change = ParseDayChange(request, year, PathDate(request));
  auto call = [deps, actor = std::move(actor), change = std::move(change)] {
    return deps.service->SetDay(actor, change);
  };
  auto task = deps.pool->Run(std::move(call));
  const DayView day = co_await std::move(task);
  co_return Response::Json(DayViewJson(day));
}

Task<Response> DeleteDay(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  const int year = PathYear(request);
  const Date date = PathDate(request);
  std::optional<std::string> region = QueryRegion(request);
  auto call = [deps, actor = std::move(actor), year, date, region = std::move(region)] {
    return deps.service->DeleteDay(actor, year, date, region);
  };
  auto task = deps.pool->Run(std::move(call));
  const DayView day = co_await std::move(task);
  co_return Response::Json(DayViewJson(day));
}

}  // namespace

void RegisterRoutes(http::Router& router, CalendarService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions options{.max_body_bytes = kCalendarBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/production-calendar/{year}", http::Bind<GetYear>(deps), options);
  router.Add(http::Verb::get, "/api/v1/production-calendar/{year}/edits", http::Bind<ListEdits>(deps),
             options);
  router.Add(http::Verb::put, "/api/v1/production-calendar/{year}/days/{date}", http::Bind<PutDay>(deps),
             options);
  router.Add(http::Verb::delete_, "/api/v1/production-calendar/{year}/days/{date}",
             http::Bind<DeleteDay>(deps), options);
}

}  // namespace tabel::calendar

#include "calendar/handlers.hpp"

#include <charconv>

#include "auth/handlers.hpp"
#include "calendar/json.hpp"
#include "common/error.hpp"
#include "http/resource.hpp"

namespace tabel::calendar {
namespace {

using http::Request;
using http::Response;

// Reads send no body.
constexpr size_t kCalendarBodyLimit = 1024;

struct Deps {
  const ProductionCalendar* calendar;
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

Task<Response> GetYear(Deps deps, Request request) {
  auth::RequireIdentity(request);
  const int year = PathYear(request);
  co_return Response::Json(CalendarYearJson(deps.calendar->Year(year)));
}

}  // namespace

void RegisterRoutes(http::Router& router, const ProductionCalendar& calendar) {
  const Deps deps{&calendar};
  const http::RouteOptions options{.max_body_bytes = kCalendarBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/production-calendar/{year}", http::Bind<GetYear>(deps), options);
}

}  // namespace tabel::calendar

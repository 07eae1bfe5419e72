#include "calendar/views_handlers.hpp"

#include <algorithm>
#include <cctype>

#include "auth/handlers.hpp"
#include "calendar/views_json.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"

namespace tabel::calendar {
namespace {

using http::Request;
using http::Response;

// Reads send no body.
constexpr size_t kViewsBodyLimit = 1024;
constexpr int64_t kMaxId = int64_t{1} << 53;

struct Deps {
  CalendarViews* views;
  CalendarFeeds* feeds;
  http::BlockingPool* pool;
};

constexpr std::string_view kPersonalFeedPath = "/api/v1/calendar-feed/personal.ics";
constexpr std::string_view kTeamFeedPath = "/api/v1/calendar-feed/team.ics";
constexpr size_t kFeedTokenLength = 43;  // 32 bytes, base64url without padding

// from and to, this month by default; to not before from, at most
// `max_days` days.
std::pair<Date, Date> Range(http::QueryFields& params, Date today, int max_days) {
  const std::chrono::year_month_day ymd(today);
  const std::chrono::year_month month = ymd.year() / ymd.month();
  const Date from = params.IsoDate("from").value_or(Date{month / 1});
  const Date to = params.IsoDate("to").value_or(Date{month / std::chrono::last});
  if (to < from) {
    params.Add("to", "must not be before from");
  } else if ((to - from).count() >= max_days) {
    params.Add("to", "must be at most " + std::to_string(max_days) + " days from from");
  }
  return {from, to};
}

// department_id, subtree, limit and cursor.
ViewQuery DepartmentQuery(http::QueryFields& params) {
  ViewQuery query;
  query.department_id = params.Int("department_id", 1, kMaxId);
  query.subtree = params.Bool("subtree").value_or(false);
  query.page = params.Page();
  return query;
}

Task<Response> GetTeam(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  ViewQuery query = DepartmentQuery(params);
  std::tie(query.from, query.to) = Range(params, deps.views->Today(), kMaxTeamDays);
  params.Finish();
  auto call = [deps, actor = std::move(actor), query] {
    return deps.views->TeamText(actor, query, TeamCalendarText);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::JsonText(co_await std::move(task));
}

Task<Response> GetAway(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  ViewQuery query = DepartmentQuery(params);
  const Date day = params.IsoDate("date").value_or(deps.views->Today());
  const std::string period = params.String("period", 8).value_or("today");
  query.from = query.to = day;
  if (period == "week") {
    const std::chrono::weekday weekday(day);
    query.from = day - (weekday - std::chrono::Monday);
    query.to = query.from + std::chrono::days{6};
  } else if (period != "today") {
    params.Add("period", "must be today or week");
  }
  params.Finish();
  auto call = [deps, actor = std::move(actor), query] { return deps.views->Away(actor, query); };
  auto task = deps.pool->Run(std::move(call));
  const AwayList away = co_await std::move(task);
  co_return Response::Json(AwayListJson(away));
}

Task<Response> GetPersonal(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  const auto [from, to] = Range(params, deps.views->Today(), kMaxPersonalDays);
  params.Finish();
  auto call = [deps, actor = std::move(actor), id, from = from, to = to] {
    return deps.views->Personal(actor, id, from, to);
  };
  auto task = deps.pool->Run(std::move(call));
  const PersonalCalendar calendar = co_await std::move(task);
  co_return Response::Json(PersonalCalendarJson(calendar));
}

Task<Response> RotateFeed(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.feeds->Rotate(actor); };
  auto task = deps.pool->Run(std::move(call));
  const std::string token = co_await std::move(task);
  const std::string query = "?token=" + token;
  co_return Response::Json({{"token", token},
                            {"personal_url", std::string(kPersonalFeedPath) + query},
                            {"team_url", std::string(kTeamFeedPath) + query}});
}

Task<Response> RevokeFeed(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { deps.feeds->Revoke(actor); };
  auto task = deps.pool->Run(std::move(call));
  co_await std::move(task);
  co_return http::NoContent();
}

// The feed's secret token: 43 base64url characters.
std::string FeedToken(http::QueryFields& params) {
  std::optional<std::string> token = params.String("token", kFeedTokenLength);
  const bool well_formed =
      token && token->size() == kFeedTokenLength && std::all_of(token->begin(), token->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (!well_formed) params.Add("token", "must be the token of a calendar feed");
  return token.value_or("");
}

Response Calendar(std::string text) {
  return Response::Text(std::move(text), "text/calendar; charset=utf-8");
}

Task<Response> GetPersonalFeed(Deps deps, Request request) {
  http::QueryFields params(request);
  std::string token = FeedToken(params);
  params.Finish();
  auto call = [deps, token = std::move(token), id = request.request_id] {
    return deps.feeds->Personal(token, id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Calendar(co_await std::move(task));
}

Task<Response> GetTeamFeed(Deps deps, Request request) {
  http::QueryFields params(request);
  std::string token = FeedToken(params);
  const std::optional<int64_t> department_id = params.Int("department_id", 1, kMaxId);
  const bool subtree = params.Bool("subtree").value_or(false);
  params.Finish();
  auto call = [deps, token = std::move(token), department_id, subtree, id = request.request_id] {
    return deps.feeds->Team(token, department_id, subtree, id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Calendar(co_await std::move(task));
}

}  // namespace

void RegisterViewRoutes(http::Router& router, CalendarViews& views, CalendarFeeds& feeds,
                        http::BlockingPool& pool) {
  const Deps deps{&views, &feeds, &pool};
  const http::RouteOptions options{.max_body_bytes = kViewsBodyLimit, .public_route = false};
  // The feeds' token is their authentication.
  const http::RouteOptions feed_options{.max_body_bytes = kViewsBodyLimit, .public_route = true};
  router.Add(http::Verb::get, "/api/v1/calendar", http::Bind<GetTeam>(deps), options);
  router.Add(http::Verb::get, "/api/v1/calendar/away", http::Bind<GetAway>(deps), options);
  router.Add(http::Verb::get, "/api/v1/employees/{id}/calendar", http::Bind<GetPersonal>(deps), options);
  router.Add(http::Verb::post, "/api/v1/me/calendar-feed", http::Bind<RotateFeed>(deps), options);
  router.Add(http::Verb::delete_, "/api/v1/me/calendar-feed", http::Bind<RevokeFeed>(deps), options);
  router.Add(http::Verb::get, std::string(kPersonalFeedPath), http::Bind<GetPersonalFeed>(deps),
             feed_options);
  router.Add(http::Verb::get, std::string(kTeamFeedPath), http::Bind<GetTeamFeed>(deps), feed_options);
}

}  // namespace tabel::calendar

#include "notification/handlers.hpp"

#include "auth/handlers.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::notification {
namespace {

using http::Request;
using http::Response;

constexpr size_t kReadBodyLimit = 1024;
constexpr size_t kPreferencesBodyLimit = size_t{8} * 1024;
constexpr size_t kMaxTokenLength = 512;

struct Deps {
  NotificationService* service;
  http::BlockingPool* pool;
};

nlohmann::json NotificationJson(const Notification& n) {
  return {{"id", n.id},
          {"event", n.event},
          {"request_id", n.request_id ? nlohmann::json(*n.request_id) : nlohmann::json()},
          {"title", n.title},
          {"body", n.body},
          {"link", n.link ? nlohmann::json(*n.link) : nlohmann::json()},
          {"created_at", db::FormatTimestamp(n.created_at)},
          {"read", n.read_at.has_value()},
          {"read_at", n.read_at ? nlohmann::json(db::FormatTimestamp(*n.read_at)) : nlohmann::json()}};
}

nlohmann::json PreferencesJson(const std::vector<Preference>& preferences) {
  return {{"items", http::ItemsJson(preferences, [](const Preference& p) {
             return nlohmann::json{{"event", p.event}, {"mail", p.mail}};
           })}};
}

Task<Response> GetFeed(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  const bool unread = params.Bool("unread").value_or(false);
  const http::PageRequest page = params.Page();
  params.Finish();
  auto call = [deps, actor = std::move(actor), page, unread] {
    return deps.service->FeedOf(actor, page, unread);
  };
  auto task = deps.pool->Run(std::move(call));
  const NotificationService::Feed feed = co_await std::move(task);
  nlohmann::json body =
      http::PageJson(http::ItemsJson(feed.page.items, NotificationJson), feed.page.next_after);
  body["unread"] = feed.unread;
  co_return Response::Json(body);
}

Task<Response> GetUnread(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.service->UnreadOf(actor); };
  auto task = deps.pool->Run(std::move(call));
  const int64_t unread = co_await std::move(task);
  co_return Response::Json({{"unread", unread}});
}

Task<Response> PostRead(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  const int64_t id = http::PathId(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id] { deps.service->MarkRead(actor, id); };
  co_await deps.pool->Run(std::move(call));
  co_return Response::Json({{"id", id}, {"read", true}});
}

Task<Response> PostReadAll(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.service->MarkAllRead(actor); };
  auto task = deps.pool->Run(std::move(call));
  const int64_t marked = co_await std::move(task);
  co_return Response::Json({{"marked", marked}});
}

Task<Response> GetPreferences(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.service->Preferences(actor); };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(PreferencesJson(co_await std::move(task)));
}

Task<Response> PutPreferences(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  const nlohmann::json body = http::ParseJsonObject(request);
  std::vector<Preference> changes;
  std::vector<FieldError> errors;
  for (const auto& [event, mail] : body.items()) {
    if (!mail.is_boolean()) {
      errors.push_back({event, "must be true or false"});
      continue;
    }
    changes.push_back({event, mail.get<bool>()});
  }
  if (!errors.empty()) throw Error::Validation(std::move(errors));
  auto call = [deps, actor = std::move(actor), changes = std::move(changes)] {
    return deps.service->SetPreferences(actor, changes);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(PreferencesJson(co_await std::move(task)));
}

Task<Response> Unsubscribe(Deps deps, Request request) {
  http::QueryFields params(request);
  const std::optional<std::string> token = params.String("token", kMaxTokenLength);
  if (!token) params.Add("token", "is required");
  params.Finish();
  auto call = [deps, token = token.value_or("")] { return deps.service->Unsubscribe(token); };
  auto task = deps.pool->Run(std::move(call));
  const std::string event = co_await std::move(task);
  co_return Response::Json(
      {{"event", event},
       {"mail", false},
       {"detail", "Такие письма больше не будут приходить. Вернуть их можно в настройках."}});
}

}  // namespace

void RegisterRoutes(http::Router& router, NotificationService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions read{.max_body_bytes = kReadBodyLimit, .public_route = false};
  const http::RouteOptions write{.max_body_bytes = kPreferencesBodyLimit, .public_route = false};
  const http::RouteOptions link{.max_body_bytes = kReadBodyLimit, .public_route = true};
  router.Add(http::Verb::get, "/api/v1/notifications", http::Bind<GetFeed>(deps), read);
  router.Add(http::Verb::get, "/api/v1/notifications/unread-count", http::Bind<GetUnread>(deps), read);
  router.Add(http::Verb::post, "/api/v1/notifications/read-all", http::Bind<PostReadAll>(deps), read);
  router.Add(http::Verb::get, "/api/v1/notifications/preferences", http::Bind<GetPreferences>(deps), read);
  router.Add(http::Verb::put, "/api/v1/notifications/preferences", http::Bind<PutPreferences>(deps), write);
  router.Add(http::Verb::get, "/api/v1/notifications/unsubscribe", http::Bind<Unsubscribe>(deps), link);
  router.Add(http::Verb::post, "/api/v1/notifications/unsubscribe", http::Bind<Unsubscribe>(deps), link);
  router.Add(http::Verb::post, "/api/v1/notifications/{id}/read", http::Bind<PostRead>(deps), read);
}

}  // namespace tabel::notification

#include "auth/handlers.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"
#include "infra/db/timestamp.hpp"
#include "ops/ops.hpp"

namespace tabel::ops {
namespace {

using http::Request;
using http::Response;

constexpr size_t kBodyLimit = 1024;
constexpr int64_t kMaxDeadLetters = 1000;
// A longer id names no dead letter (a queue name is at most 100 characters,
// a message id a UUID or a short key).
constexpr size_t kMaxIdLength = 256;

struct Deps {
  QueueAdmin* admin;
  http::BlockingPool* pool;
};

// Absent values (what a transport cannot know) are null.
template <class T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json TimestampOrNull(const std::optional<TimePoint>& at) {
  return at ? nlohmann::json(db::FormatTimestamp(*at)) : nlohmann::json(nullptr);
}

nlohmann::json LetterJson(const DeadLetter& letter) {
  return {{"id", letter.id},
          {"message_id", letter.message_id},
          {"queue", letter.queue},
          {"topic", letter.topic},
          {"status", letter.status},
          {"attempts", letter.attempts},
          {"max_attempts", letter.max_attempts},
          {"last_error", letter.last_error},
          {"payload", letter.payload},
          {"available_at", TimestampOrNull(letter.available_at)},
          {"updated_at", TimestampOrNull(letter.updated_at)}};
}

nlohmann::json OverviewJson(const BusOverview& overview) {
  nlohmann::json queues = nlohmann::json::array();
  for (const QueueOverview& q : overview.queues) {
    queues.push_back({{"name", q.name},
                      {"topics", q.topics},
                      {"max_attempts", q.max_attempts},
                      {"queued", q.queued},
                      {"retrying", OrNull(q.retrying)},
                      {"running", OrNull(q.running)},
                      {"done", OrNull(q.done)},
                      {"dead", q.dead},
                      {"consumers", OrNull(q.consumers)}});
  }
  return {{"transport", overview.transport},
          {"queues", queues},
          {"outbox",
           {{"unpublished", overview.outbox_unpublished},
            {"oldest_due_seconds", overview.outbox_oldest_due_seconds}}}};
}

Task<Response> GetQueues(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor)] { return deps.admin->Overview(actor); };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(OverviewJson(co_await std::move(task)));
}

Task<Response> GetDeadLetters(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  std::optional<std::string> queue = params.String("queue", 100);
  const auto limit = params.Int("limit", 1, kMaxDeadLetters).value_or(100);
  params.Finish();
  auto call = [deps, actor = std::move(actor), queue = std::move(queue), limit] {
    return deps.admin->DeadLetters(actor, queue, static_cast<size_t>(limit));
  };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<DeadLetter> dead = co_await std::move(task);
  co_return Response::Json({{"items", http::ItemsJson(dead, LetterJson)}});
}

Task<Response> PostReplay(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor),
               id = std::string(request.PathParam("id").substr(0, kMaxIdLength))] {
    return deps.admin->Replay(actor, id);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(LetterJson(co_await std::move(task)));
}

}  // namespace

void RegisterQueueRoutes(http::Router& router, QueueAdmin& admin, http::BlockingPool& pool) {
  const Deps deps{&admin, &pool};
  const http::RouteOptions options{.max_body_bytes = kBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/admin/queues", http::Bind<GetQueues>(deps), options);
  router.Add(http::Verb::get, "/api/v1/admin/dead-letters", http::Bind<GetDeadLetters>(deps), options);
  router.Add(http::Verb::post, "/api/v1/admin/dead-letters/{id}/replay", http::Bind<PostReplay>(deps),
             options);
}

}  // namespace tabel::ops

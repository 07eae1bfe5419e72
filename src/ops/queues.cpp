#include "ops/queues.hpp"

#include <utility>

#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::ops {
namespace {

constexpr std::chrono::milliseconds kStatsTimeout{2000};

}  // namespace

QueueAdmin::QueueAdmin(db::Database& database, bus::TaskQueue& tasks, const bus::Topology& topology,
                       Clock clock)
    : database_(database), tasks_(tasks), topology_(topology), clock_(std::move(clock)) {}

void QueueAdmin::Check(const Actor& actor) const {
  if (actor.identity.ScopeOf(auth::kSettingsManage) != Scope::kAll) throw Error::Forbidden();
}

BusOverview QueueAdmin::Overview(const Actor& actor) {
  Check(actor);
  const bus::QueueStats stats = tasks_.Stats(kStatsTimeout);
  BusOverview overview;
  overview.outbox_unpublished = stats.outbox_unpublished;
  overview.outbox_oldest_due_seconds = stats.outbox_oldest_due_seconds;
  for (const bus::QueueSpec& spec : topology_.queues()) {
    QueueOverview queue{.name = spec.name, .topics = spec.topics, .max_attempts = spec.max_attempts};
    for (const bus::QueueDepth& depth : stats.tasks) {
      if (depth.queue != spec.name) continue;
      if (depth.status == "queued") queue.queued = depth.count;
      if (depth.status == "running") queue.running = depth.count;
      if (depth.status == "done") queue.done = depth.count;
      if (depth.status == "dead") queue.dead = depth.count;
    }
    overview.queues.push_back(std::move(queue));
  }
  return overview;
}

std::vector<bus::TaskInfo> QueueAdmin::DeadLetters(const Actor& actor,
                                                   const std::optional<std::string>& queue, size_t limit) {
  Check(actor);
  return tasks_.ListDead(queue, limit);
}

bus::TaskInfo QueueAdmin::Replay(const Actor& actor, const std::string& task_id) {
  Check(actor);
  tasks_.Replay(task_id);
  auto task = tasks_.Find(task_id);
  if (!task) throw Error::NotFound("No such dead letter.");
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    audit::Append(session, actor,
                  {"queue.replay",
                   "task",
                   task_id,
                   {{"queue", task->queue}, {"topic", task->topic}, {"message_id", task->message_id}}},
                  clock_());
  });
  return std::move(*task);
}

}  // namespace tabel::ops

#include <utility>

#include "infra/db/transaction.hpp"
#include "ops/queue_transports.hpp"

namespace tabel::ops {
namespace {

constexpr std::chrono::milliseconds kStatsTimeout{2000};

DeadLetter LetterOf(bus::TaskInfo task) {
  return {.id = std::move(task.id),
          .message_id = std::move(task.message_id),
          .queue = std::move(task.queue),
          .topic = std::move(task.topic),
          .status = std::move(task.status),
          .attempts = task.attempts,
          .max_attempts = task.max_attempts,
          .last_error = std::move(task.last_error),
          .payload = std::move(task.payload),
          .available_at = task.available_at,
          .updated_at = task.updated_at};
}

}  // namespace

EmbeddedQueues::EmbeddedQueues(db::Database& database, bus::TaskQueue& tasks, const bus::Topology& topology)
    : database_(database), tasks_(tasks), topology_(topology) {}

BusOverview EmbeddedQueues::Overview() {
  const bus::QueueStats stats = tasks_.Stats(kStatsTimeout);
  BusOverview overview{.transport = "embedded",
                       .outbox_unpublished = stats.outbox_unpublished,
                       .outbox_oldest_due_seconds = stats.outbox_oldest_due_seconds};
  for (const bus::QueueSpec& spec : topology_.queues()) {
    QueueOverview queue{
        .name = spec.name, .topics = spec.topics, .max_attempts = spec.max_attempts, .running = 0, .done = 0};
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

std::vector<DeadLetter> EmbeddedQueues::DeadLetters(const std::optional<std::string>& queue, size_t limit) {
  std::vector<DeadLetter> letters;
  for (bus::TaskInfo& task : tasks_.ListDead(queue, limit)) letters.push_back(LetterOf(std::move(task)));
  return letters;
}

DeadLetter EmbeddedQueues::Replay(const std::string& id, const ReplayRecord& record) {
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    DeadLetter replayed = LetterOf(tasks_.Replay(session, id));
    record(session, replayed);
    return replayed;
  });
}

}  // namespace tabel::ops

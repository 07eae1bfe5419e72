#include "infra/bus/relay.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/uuid.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::bus {
namespace {

// Rows per INSERT into task_queue: a batch of messages, each fanned out to
// its queues, goes in a few statements, not one round trip per row.
constexpr size_t kTasksPerInsert = 16;

struct Task {
  std::string message_id, queue, topic, payload, headers, available_at;
  int max_attempts = 1;
};

// Inserts `tasks` (queued, no attempts yet), kTasksPerInsert rows a
// statement, each text kept prepared on the session.
void InsertTasks(db::Lease& lease, const std::vector<Task>& tasks, const std::string& now) {
  for (size_t begin = 0; begin < tasks.size(); begin += kTasksPerInsert) {
    const size_t end = std::min(tasks.size(), begin + kTasksPerInsert);
    db::Query query;
    query << "INSERT INTO task_queue (id, message_id, queue, topic, payload, headers, status, attempts, "
             "max_attempts, available_at, created_at, updated_at) VALUES ";
    for (size_t i = begin; i < end; ++i) {
      const Task& task = tasks[i];
      query << (i == begin ? "(" : ", (") << query.Param(NewUuid()) << ", " << query.Param(task.message_id)
            << ", " << query.Param(task.queue) << ", " << query.Param(task.topic) << ", "
            << query.Param(task.payload) << ", " << query.Param(task.headers) << ", 'queued', 0, "
            << query.Param(static_cast<long long>(task.max_attempts)) << ", "
            << query.Param(task.available_at) << ", " << query.Param(now) << ", " << query.Param(now) << ")";
    }
    query << " ON CONFLICT (queue, message_id) DO NOTHING";
    db::ExecuteCached(lease, std::move(query));
  }
}

}  // namespace

EmbeddedRelay::EmbeddedRelay(db::Database& database, const Topology& topology, Clock clock,
                             log::Logger& logger, size_t batch_size)
    : database_(database),
      topology_(topology),
      clock_(std::move(clock)),
      logger_(logger),
      batch_size_(batch_size) {
  if (batch_size_ == 0) throw std::invalid_argument("the relay batch size must be at least 1");
}

size_t EmbeddedRelay::RelayBatch() {
  return db::WithWriteTransaction(database_, [&](db::Lease& lease) -> size_t {
    const std::string now = db::FormatTimestamp(clock_());
    const std::vector<DueMessage> due =
        SelectDueMessages(lease.session(), database_.dialect(), now, batch_size_);
    if (due.empty()) return 0;
    std::vector<Task> tasks;
    std::vector<std::string> relayed;
    relayed.reserve(due.size());
    for (const DueMessage& message : due) {
      const std::vector<const QueueSpec*> queues = topology_.QueuesFor(message.topic);
      if (queues.empty()) {
        logger_.Debug("bus_message_unrouted", {{"topic", message.topic}, {"message_id", message.id}});
      }
      for (const QueueSpec* spec : queues) {
        tasks.push_back({.message_id = message.id,
                         .queue = spec->name,
                         .topic = message.topic,
                         .payload = message.payload,
                         .headers = message.headers,
                         .available_at = message.available_at,
                         .max_attempts = spec->max_attempts});
      }
      relayed.push_back(message.id);
    }
    InsertTasks(lease, tasks, now);
    MarkPublished(lease.session(), relayed, now);
    return due.size();
  });
}

}  // namespace tabel::bus

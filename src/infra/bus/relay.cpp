#include "infra/bus/relay.hpp"

#include <soci/soci.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/uuid.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::bus {
namespace {

constexpr const char* kInsertTask =
    "INSERT INTO task_queue (id, message_id, queue, topic, payload, headers, status, attempts, max_attempts, "
    "available_at, created_at, updated_at) "
    "VALUES (:id, :message_id, :queue, :topic, :payload, :headers, 'queued', 0, :max_attempts, "
    ":available_at, :created_at, :updated_at) "
    "ON CONFLICT (queue, message_id) DO NOTHING";

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
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> size_t {
    const std::string now = db::FormatTimestamp(clock_());
    const std::vector<DueMessage> due = SelectDueMessages(session, database_.dialect(), now, batch_size_);
    if (due.empty()) return 0;

    std::string task_id, message_id, queue, topic, payload, headers, available_at;
    int max_attempts = 1;
    soci::statement insert =
        (session.prepare << kInsertTask, soci::use(task_id, "id"), soci::use(message_id, "message_id"),
         soci::use(queue, "queue"), soci::use(topic, "topic"), soci::use(payload, "payload"),
         soci::use(headers, "headers"), soci::use(max_attempts, "max_attempts"),
         soci::use(available_at, "available_at"), soci::use(now, "created_at"), soci::use(now, "updated_at"));
    std::vector<std::string> relayed;
    relayed.reserve(due.size());
    for (const DueMessage& message : due) {
      message_id = message.id;
      const std::vector<const QueueSpec*> queues = topology_.QueuesFor(message.topic);
      if (queues.empty()) {
        logger_.Debug("bus_message_unrouted", {{"topic", message.topic}, {"message_id", message.id}});
      }
      for (const QueueSpec* spec : queues) {
        task_id = NewUuid();
        queue = spec->name;
        topic = message.topic;
        payload = message.payload;
        headers = message.headers;
        max_attempts = spec->max_attempts;
        available_at = message.available_at;
        insert.execute(true);
      }
      relayed.push_back(message.id);
    }
    MarkPublished(session, relayed, now);
    return due.size();
  });
}

}  // namespace tabel::bus

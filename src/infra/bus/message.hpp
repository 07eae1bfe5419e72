#pragma once
// The message types of the bus, shared by every transport (the embedded
// database queue now, RabbitMQ later).
//
// Delivery guarantee: at least once. A message can be delivered again after
// a consumer's transaction committed but before its task was marked done (a
// crash, a lost lease, a database outage at that moment), so consumers make
// their effect idempotent with MarkProcessed (processed_messages.hpp) in the
// same transaction as the effect.

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace tabel::bus {

// An event to publish, written to the outbox by Outbox::Add.
struct OutgoingMessage {
  // Routing key, e.g. "leave.approved"; routed to every queue bound to it
  // (Topology). [a-z0-9_.-], at most 100 characters.
  std::string topic;
  // The message body: a JSON document, stored and delivered as text.
  std::string payload;
  // A JSON object of metadata (request id, actor); delivered as text.
  std::string headers = "{}";
  // Not delivered before this instant (a scheduled message); unset = now.
  std::optional<std::chrono::system_clock::time_point> available_at;
  // The message id, which consumers deduplicate on; empty = NewUuid().
  // A caller that can publish the same event twice may set a stable id:
  // a second Add with the same id fails with a conflict.
  std::string id;
};

// One delivery of a message to one queue's consumer.
struct Delivery {
  std::string task_id;     // the task_queue row (one per queue and message)
  std::string message_id;  // the outbox id; the same in every queue
  std::string queue;
  std::string topic;
  std::string payload;  // JSON text
  std::string headers;  // JSON object text
  int attempt = 1;      // 1 on the first delivery, +1 on each redelivery
};

// Handles one delivery, blocking, on a worker thread. Returning means
// success; throwing PermanentFailure sends the message to the dead letters at
// once; throwing anything else is retried with backoff until the queue's
// max_attempts, then dead-lettered. Must be safe to call concurrently when
// the worker runs more than one consumer thread.
using Consumer = std::function<void(const Delivery&)>;

// Thrown by a consumer for a message that can never succeed (malformed
// payload, a referenced entity that no longer exists): no retries.
class PermanentFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tabel::bus

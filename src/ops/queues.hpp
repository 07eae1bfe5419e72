#pragma once
// The queues for an operator (settings.manage): the depth of every queue
// and the outbox backlog, the dead letters, and the replay of one — on
// whichever transport the bus runs. QueueAdmin checks the permission and
// audits; a QueueTransport reads and changes the queues: EmbeddedQueues
// (task_queue) or BrokerQueues (RabbitMQ), chosen by the composition root
// (ops/queue_transports.hpp).
//
// Thread-safety: safe from any thread; blocks on the database (and the
// broker). Errors: tabel::Error — Forbidden without settings.manage for
// all, NotFound for a dead letter that is not there, Unavailable when the
// database or the broker is down, and the database's.

#include <soci/soci.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/db/database.hpp"

namespace tabel::ops {

using TimePoint = std::chrono::system_clock::time_point;

// One queue of the topology. What a transport cannot know is nullopt.
struct QueueOverview {
  std::string name;
  std::vector<std::string> topics;
  int max_attempts = 0;
  // Waiting to be delivered, retries waiting out their backoff included.
  long long queued = 0;
  // Of `queued`, the retries waiting out their backoff: RabbitMQ only (its
  // delay queues); the embedded queue does not tell them apart.
  std::optional<long long> retrying;
  // Delivered and not finished: the embedded queue only (AMQP does not say
  // how many messages consumers hold unacknowledged).
  std::optional<long long> running;
  // Finished, until pruned: the embedded queue only (the broker keeps none).
  std::optional<long long> done;
  long long dead = 0;
  // Consumers attached: RabbitMQ only (embedded workers poll).
  std::optional<long long> consumers;
};

struct BusOverview {
  std::string transport;              // "embedded" or "rabbitmq"
  std::vector<QueueOverview> queues;  // in declaration order
  long long outbox_unpublished = 0;
  double outbox_oldest_due_seconds = 0;  // the relay's lag
};

// A dead letter, or the message a replay put back, on either transport.
struct DeadLetter {
  // Names it for Replay: the task id on the embedded queue;
  // "<queue>:<message_id>" on RabbitMQ (queue names have no ':').
  std::string id;
  std::string message_id;  // the outbox id, the same in every queue
  std::string queue;
  std::string topic;
  std::string status;  // "dead"; "queued" once replayed
  int attempts = 0;    // deliveries made; 0 once replayed
  int max_attempts = 0;
  std::string last_error;
  std::string payload;  // the message body (JSON text)
  // When it is next deliverable, and when it last changed (died or was
  // replayed): the embedded queue only (the broker keeps no such times).
  std::optional<TimePoint> available_at;
  std::optional<TimePoint> updated_at;
};

// Records a replay (the audit entry) through `open_write_tx`, a session in
// an open write transaction; called once per replay, when the dead letter
// is about to be settled (see QueueTransport::Replay).
using ReplayRecord = std::function<void(soci::session& open_write_tx, const DeadLetter& replayed)>;

// The transport's side of QueueAdmin. Implementations say their
// thread-safety and errors; all throw tabel::Error.
class QueueTransport {
 public:
  virtual ~QueueTransport() = default;

  // Every queue of the topology, in declaration order, and the outbox lag.
  virtual BusOverview Overview() = 0;

  // At most `limit` (clamped to 1..1000) dead letters, of `queue` only or of
  // every queue when nullopt (none for a queue the topology lacks). The
  // order is the transport's (see its class).
  virtual std::vector<DeadLetter> DeadLetters(const std::optional<std::string>& queue, size_t limit) = 0;

  // Delivers dead letter `id` again from its first attempt, calls `record`
  // and settles the dead letter, such that a failure at any step leaves the
  // dead letter where it was (a copy may have been delivered: consumers are
  // idempotent). Returns it as it is now. Throws Error::NotFound if there
  // is no such dead letter.
  virtual DeadLetter Replay(const std::string& id, const ReplayRecord& record) = 0;
};

class QueueAdmin {
 public:
  // `transport` must outlive this object.
  QueueAdmin(QueueTransport& transport, Clock clock);

  BusOverview Overview(const Actor& actor);
  // At most `limit` (1..1000).
  std::vector<DeadLetter> DeadLetters(const Actor& actor, const std::optional<std::string>& queue,
                                      size_t limit);
  // Delivers a dead letter again from its first attempt; audited as
  // queue.replay (see QueueTransport::Replay for when). Returns it as it is
  // now.
  DeadLetter Replay(const Actor& actor, const std::string& id);

 private:
  void Check(const Actor& actor) const;

  QueueTransport& transport_;
  Clock clock_;
};

}  // namespace tabel::ops

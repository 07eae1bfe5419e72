#pragma once
// Relays move published events from the outbox to the transport.
//
// Relay is the transport-neutral interface the Worker drives; EmbeddedRelay
// is the in-process implementation, which routes outbox rows into the
// database task_queue. A RabbitMQ relay (publish with publisher confirms,
// then mark published) implements the same interface.

#include <chrono>
#include <cstddef>
#include <string>

#include "common/clock.hpp"
#include "infra/bus/topology.hpp"
#include "infra/db/database.hpp"
#include "infra/log/log.hpp"

namespace tabel::bus {

class Relay {
 public:
  virtual ~Relay() = default;

  // Publishes up to one batch of due, unpublished outbox messages and marks
  // them published; returns how many messages it marked. A message is marked
  // only once the transport holds it, so a failure leaves it to a later
  // call (at least once). Errors: tabel::Error (kUnavailable when the
  // database or the broker is down).
  virtual size_t RelayBatch() = 0;
};

// Routes due outbox rows (available_at <= now, published_at unset, oldest
// first) to every queue the topology binds to their topic: in ONE write
// transaction it inserts one task_queue row per bound queue (a no-op if that
// queue already holds the message) and sets published_at. A message whose
// topic no queue is bound to is only marked published (logged at debug).
// On PostgreSQL the rows are taken FOR UPDATE SKIP LOCKED, so any number of
// relays (threads, replicas) can run at once without waiting on each other
// or relaying a message twice; on SQLite BEGIN IMMEDIATE serialises them.
// Thread-safety: safe from any thread; the topology, database and logger
// must outlive it.
class EmbeddedRelay final : public Relay {
 public:
  // `batch_size`: messages per transaction, at least 1 (std::invalid_argument).
  EmbeddedRelay(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
                size_t batch_size = 100);

  size_t RelayBatch() override;

 private:
  db::Database& database_;
  const Topology& topology_;
  Clock clock_;
  log::Logger& logger_;
  size_t batch_size_;
};

}  // namespace tabel::bus

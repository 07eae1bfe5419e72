#pragma once
// The relay of the RabbitMQ transport: publishes due outbox rows to the
// topic exchange (amqp_connection.hpp) in publisher-confirm mode and marks
// them published once the broker confirmed the whole batch.
//
// PostgreSQL: the rows are taken FOR UPDATE SKIP LOCKED and marked in the
// same transaction that held them while publishing, so concurrent relays
// (threads, replicas) never publish one row at the same time. SQLite (one
// process, usually): the rows are read without a lock and marked in a short
// write transaction after the confirms, so the database's write lock is not
// held while the broker is waited for; two relays on one file may then
// publish a row twice, which at-least-once delivery allows.
// A nack, a missing confirm before AmqpOptions::confirm_timeout or a lost
// connection leaves the batch unpublished for the next call (its messages
// may then be delivered twice). A message whose topic no queue is bound to
// is dropped by the broker (mandatory false) and marked published.
//
// The connection is opened (and the whole topology declared) by the first
// RelayBatch and again by the first one after a failure; an idle call
// services its heartbeats.
// Thread-safety: one thread at a time (the Worker's relay thread); the
// database, topology and logger must outlive it.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "infra/bus/amqp_connection.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/bus/relay.hpp"
#include "infra/db/database.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"

namespace tabel::bus {

class AmqpRelay final : public Relay {
 public:
  // `options` must be valid (ValidateAmqpOptions, else std::invalid_argument);
  // `batch_size` at least 1. The counters, if given, count batches whose
  // confirms failed and connections opened after a failure; they must
  // outlive the relay. Does not connect.
  AmqpRelay(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
            AmqpOptions options, size_t batch_size = 100, metrics::Counter* confirm_failures = nullptr,
            metrics::Counter* reconnects = nullptr);
  ~AmqpRelay() override;

  // Errors: tabel::Error kUnavailable when the broker is unreachable or
  // refuses the batch; database errors as db::WithWriteTransaction.
  size_t RelayBatch() override;

 private:
  AmqpConnection& Connection();
  // Publishes `due` and waits for the confirms; drops the connection and
  // throws Error::Unavailable on failure.
  void PublishConfirmed(const std::vector<DueMessage>& due);
  // Reads what the broker sent and sends a due heartbeat; on failure as
  // PublishConfirmed.
  void ServiceIdle();

  db::Database& database_;
  const Topology& topology_;
  Clock clock_;
  log::Logger& logger_;
  AmqpOptions options_;
  size_t batch_size_;
  metrics::Counter* confirm_failures_;
  metrics::Counter* reconnects_;
  std::unique_ptr<AmqpConnection> connection_;
  bool failed_before_ = false;  // a connection was lost or refused since the last one opened
};

}  // namespace tabel::bus

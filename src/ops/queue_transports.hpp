#pragma once
// The two QueueTransports (ops/queues.hpp): the embedded queue's and
// RabbitMQ's. The composition root (app/app.cpp) builds the one the bus
// worker runs on — BrokerQueues with the worker's AmqpOptions when
// TABEL_AMQP_URL is set, else EmbeddedQueues.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "infra/bus/amqp_connection.hpp"
#include "infra/bus/task_queue.hpp"
#include "infra/bus/topology.hpp"
#include "infra/db/database.hpp"
#include "ops/queues.hpp"

namespace tabel::ops {

// The embedded queue: task_queue rows by status, the dead ones most
// recently failed first; a replay and its record commit in one transaction.
// Thread-safety: safe from any thread (each call leases its own session).
// Errors: tabel::Error from the database (Unavailable when it is down).
class EmbeddedQueues final : public QueueTransport {
 public:
  // All must outlive this object.
  EmbeddedQueues(db::Database& database, bus::TaskQueue& tasks, const bus::Topology& topology);

  BusOverview Overview() override;
  std::vector<DeadLetter> DeadLetters(const std::optional<std::string>& queue, size_t limit) override;
  DeadLetter Replay(const std::string& id, const ReplayRecord& record) override;

 private:
  db::Database& database_;
  bus::TaskQueue& tasks_;
  const bus::Topology& topology_;
};

// RabbitMQ (names and headers: infra/bus/amqp_connection.hpp). Each call
// opens a connection of its own for its duration and declares the topology
// (idempotent, as every process does, so that the queues it reads exist),
// each step within AmqpOptions::connect_timeout; a confirm waits at most
// confirm_timeout.
//   Overview: per queue, from queue.declare passive: queued = ready messages
//     of P.Q plus those of its delay queues (retrying), dead = P.Q.dead,
//     consumers of P.Q; running and done are unknown to AMQP (nullopt). The
//     outbox lag is the database's, as on the embedded queue.
//   DeadLetters: P.Q.dead read from its head (oldest first), queue by queue
//     in declaration order, with basic.get and no ack; see broker_queues.cpp
//     for why none is lost.
//   Replay("<queue>:<message_id>"): looks for the message among the first
//     kReplayScanLimit of P.Q.dead; publishes a copy (tabel-attempt 1,
//     mandatory) to P.Q and waits for its confirm, records, and only then
//     acks the dead one.
// Thread-safety: safe from any thread; calls are serialized, since a
// listing holds the dead letters it reads until it ends and another call
// meanwhile would not see them. (Another process's listing at that moment
// hides them too: a replay then answers 404 and can be tried again.)
// Errors: tabel::Error — Unavailable (503) when the broker cannot be
// reached or fails, NotFound from Replay, and the database's.
class BrokerQueues final : public QueueTransport {
 public:
  // How many dead letters of one queue a replay looks through at most.
  static constexpr size_t kReplayScanLimit = 10000;

  // Throws std::invalid_argument for bad `options` (bus::ValidateAmqpOptions).
  // The others must outlive this object; touches neither the broker nor the
  // database.
  BrokerQueues(db::Database& database, bus::TaskQueue& tasks, const bus::Topology& topology,
               bus::AmqpOptions options);

  BusOverview Overview() override;
  std::vector<DeadLetter> DeadLetters(const std::optional<std::string>& queue, size_t limit) override;
  DeadLetter Replay(const std::string& id, const ReplayRecord& record) override;

 private:
  // A connection with the topology declared. Throws bus::AmqpError.
  std::unique_ptr<bus::AmqpConnection> Connect() const;

  db::Database& database_;
  bus::TaskQueue& tasks_;
  const bus::Topology& topology_;
  const bus::AmqpOptions options_;
  std::mutex mutex_;  // held for the whole of each call
};

}  // namespace tabel::ops

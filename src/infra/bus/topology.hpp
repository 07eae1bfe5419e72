#pragma once
// The static routing table of the bus: which queues exist and which topics
// each one receives, with their retry and lease policies. Like a RabbitMQ
// exchange-to-queue binding table, every process declares the same topology
// at start-up whether or not it consumes, so that a publisher's relay routes
// every message to every bound queue.
//
// Topics are matched exactly (no wildcards).

#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace tabel::bus {

struct QueueSpec {
  // [a-z0-9_.-], at most 100 characters; also a metric label value.
  std::string name;
  // Topics routed to this queue; at least one, each [a-z0-9_.-], at most 100
  // characters.
  std::vector<std::string> topics;
  // Deliveries before a failing message is dead-lettered; at least 1.
  int max_attempts = 8;
  // Retry delay after the first failed attempt; doubles per further attempt,
  // capped at max_backoff, with jitter (see backoff.hpp). base_backoff > 0,
  // max_backoff >= base_backoff.
  std::chrono::milliseconds base_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  // How long a claimed task stays with its worker. A task still running when
  // its lease expires is taken to be abandoned (the worker crashed) and is
  // delivered again, so the lease must exceed the consumer's longest run.
  std::chrono::seconds lease{60};
};

// Thread-safety: Declare during start-up, before the topology is shared;
// afterwards the const methods are safe from any thread. Pointers returned
// by Find and QueuesFor stay valid for the topology's lifetime.
class Topology {
 public:
  // Adds a queue. Throws std::invalid_argument for an invalid spec (see
  // QueueSpec) or a queue name declared before.
  void Declare(QueueSpec spec);

  // The queues bound to `topic`, in declaration order; empty if none.
  std::vector<const QueueSpec*> QueuesFor(std::string_view topic) const;

  // The queue named `name`, or nullptr.
  const QueueSpec* Find(std::string_view name) const;

  // Every queue, in declaration order.
  const std::deque<QueueSpec>& queues() const { return queues_; }

 private:
  std::deque<QueueSpec> queues_;  // a deque: Declare never moves earlier specs
};

// True if `name` is a valid queue name or topic: 1-100 characters of
// [a-z0-9_.-].
bool IsValidBusName(std::string_view name);

}  // namespace tabel::bus

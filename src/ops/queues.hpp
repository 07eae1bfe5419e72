#pragma once
// The queues for an operator (settings.manage): the depth of every queue
// by state and the outbox backlog, the dead letters, and the replay of one.
// Reads and changes the embedded queue (task_queue, outbox).
//
// Thread-safety: safe from any thread; blocks on the database. Errors:
// tabel::Error — Forbidden without settings.manage for all, NotFound for a
// dead letter that is not there, and the database's.

#include <optional>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/bus/task_queue.hpp"
#include "infra/bus/topology.hpp"
#include "infra/db/database.hpp"

namespace tabel::ops {

struct QueueOverview {
  std::string name;
  std::vector<std::string> topics;
  int max_attempts = 0;
  long long queued = 0, running = 0, done = 0, dead = 0;
};

struct BusOverview {
  std::vector<QueueOverview> queues;  // in declaration order
  long long outbox_unpublished = 0;
  double outbox_oldest_due_seconds = 0;  // the relay's lag
};

class QueueAdmin {
 public:
  QueueAdmin(db::Database& database, bus::TaskQueue& tasks, const bus::Topology& topology, Clock clock);

  BusOverview Overview(const Actor& actor);
  // Most recently failed first, at most `limit` (1..1000).
  std::vector<bus::TaskInfo> DeadLetters(const Actor& actor, const std::optional<std::string>& queue,
                                         size_t limit);
  // Delivers a dead letter again from its first attempt; audited as
  // queue.replay. Returns it as it is now.
  bus::TaskInfo Replay(const Actor& actor, const std::string& task_id);

 private:
  void Check(const Actor& actor) const;

  db::Database& database_;
  bus::TaskQueue& tasks_;
  const bus::Topology& topology_;
  Clock clock_;
};

}  // namespace tabel::ops

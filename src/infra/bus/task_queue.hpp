#pragma once
// The task_queue repository: claiming, completing, dead letters, pruning and
// depth statistics of the embedded queue (db/migrations/*/001_platform.sql).
//
// Task states:  queued --claim--> running --done--> done
//                  ^                 |  \--retry--> queued (available_at later)
//                  |                 \--dead---> dead --Replay--> queued
//                  +-- lease expired: a running task whose locked_until has
//                      passed is claimable again (its worker is presumed dead)
//
// Every claim gets a unique lock token (stored in locked_by). Completing
// calls only change the row while it is still 'running' under that token,
// so a worker whose lease expired and whose task was reclaimed cannot
// overwrite the new owner's outcome.
//
// Thread-safety: safe from any thread; each call leases its own session.
// Errors: tabel::Error (db::Classify): kUnavailable when the database is
// down or busy, kInternal otherwise; Replay also throws kNotFound.

#include <soci/soci.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "infra/bus/message.hpp"
#include "infra/db/database.hpp"

namespace tabel::bus {

using TimePoint = std::chrono::system_clock::time_point;

// A task this worker holds until `locked_until`.
struct ClaimedTask {
  Delivery delivery;       // delivery.attempt = attempts after this claim
  int max_attempts = 1;    // the queue's max_attempts when it was enqueued
  std::string lock_token;  // pass to the Mark* calls
  TimePoint locked_until;
};

// One row of task_queue, for dead-letter listings, admin views and tests.
struct TaskInfo {
  std::string id;
  std::string message_id;
  std::string queue;
  std::string topic;
  std::string status;  // queued, running, done, dead
  int attempts = 0;
  int max_attempts = 0;
  TimePoint available_at;
  std::optional<TimePoint> locked_until;
  std::string locked_by;   // empty when not running
  std::string last_error;  // empty if none
  TimePoint updated_at;
  std::string payload;  // the message body (JSON text)
};

// The number of tasks of one queue in one status.
struct QueueDepth {
  std::string queue;
  std::string status;
  long long count = 0;
};

// A sample of the queue depth for metrics.
struct QueueStats {
  // Every (queue, status) pair with at least one task.
  std::vector<QueueDepth> tasks;
  long long outbox_unpublished = 0;  // published_at unset, scheduled ones too
  // Age of the oldest due (available_at <= now) unpublished message; 0 if none.
  double outbox_oldest_due_seconds = 0.0;
};

class TaskQueue {
 public:
  // `database` must outlive this object.
  TaskQueue(db::Database& database, Clock clock);

  // Claims the oldest claimable task of `queue`: 'queued' with available_at
  // <= now, or 'running' with an expired lease (locked_until < now). Sets it
  // 'running', locked_by = lock_token, locked_until = now + lease and
  // attempts + 1, in one write transaction (PostgreSQL: FOR UPDATE SKIP
  // LOCKED, so concurrent claimers never wait for or take the same task).
  // `lock_token` must be unique per claim. Nullopt when there is none.
  std::optional<ClaimedTask> Claim(const std::string& queue, const std::string& lock_token,
                                   std::chrono::seconds lease);

  // Outcome of a claimed task. Each returns false, changing nothing, when
  // the task is no longer 'running' under `lock_token` (the lease expired
  // and another worker reclaimed it, or an operator changed it).
  // 'done': keeps the row (PruneDone removes it later).
  bool MarkDone(const std::string& task_id, const std::string& lock_token);
  // Back to 'queued', deliverable again at `retry_at`.
  bool MarkRetry(const std::string& task_id, const std::string& lock_token, TimePoint retry_at,
                 std::string_view error);
  // 'dead': kept for ListDead and Replay.
  bool MarkDead(const std::string& task_id, const std::string& lock_token, std::string_view error);

  // Dead tasks, most recently failed first, at most `limit` (clamped to
  // 1..1000); of `queue` only, or of every queue when it is nullopt.
  std::vector<TaskInfo> ListDead(const std::optional<std::string>& queue, size_t limit);

  // Puts a dead task back: 'queued', attempts 0, available_at now (its
  // last_error is kept). Throws Error::NotFound if no dead task has this id.
  void Replay(const std::string& task_id);
  // The same through `open_write_tx`, a session inside the caller's open
  // write transaction (so that what records the replay commits with it);
  // returns the task as it is now. Errors: Error::NotFound as above;
  // soci::soci_error propagates, for WithWriteTransaction to classify.
  TaskInfo Replay(soci::session& open_write_tx, const std::string& task_id);

  // Deletes 'done' tasks last updated before `older_than`; returns how many.
  size_t PruneDone(TimePoint older_than);

  // One task by id, or nullopt.
  std::optional<TaskInfo> Find(const std::string& task_id);
  // The task of `message_id` in `queue`, or nullopt.
  std::optional<TaskInfo> FindByMessage(const std::string& queue, const std::string& message_id);

  // Queue depth by (queue, status) and the outbox backlog: one GROUP BY over
  // task_queue (served by its (queue, status, available_at) index; 'done'
  // rows count until pruned) and one aggregate over the unpublished outbox
  // rows. Waits at most `acquire_timeout` for a session; PostgreSQL
  // statements are cut off after one second.
  QueueStats Stats(std::chrono::milliseconds acquire_timeout);

 private:
  db::Database& database_;
  Clock clock_;
  std::string claim_sql_;  // kClaimTask for the database's dialect
};

// The longest last_error stored, in bytes.
inline constexpr size_t kMaxErrorLength = 2000;

// `text` made fit for last_error and logs: valid UTF-8 (each invalid byte
// and NUL becomes '?'), cut between characters to at most kMaxErrorLength
// bytes; "(no message)" if empty. Thread-safety: pure.
std::string BoundedErrorText(std::string_view text);

}  // namespace tabel::bus

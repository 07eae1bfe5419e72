#include "infra/bus/task_queue.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <utility>

#include "common/error.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::bus {
namespace {

// {lock} is " FOR UPDATE SKIP LOCKED" on PostgreSQL, empty on SQLite (where
// BEGIN IMMEDIATE already excludes other writers). The subquery is served by
// the (queue, status, available_at) index.
constexpr std::string_view kClaimTask =
    "UPDATE task_queue SET status = 'running', locked_by = :locked_by, locked_until = :locked_until, "
    "attempts = attempts + 1, updated_at = :updated_at "
    "WHERE id = (SELECT id FROM task_queue WHERE queue = :queue AND "
    "((status = 'queued' AND available_at <= :ready_before) OR "
    "(status = 'running' AND locked_until < :expired_before)) "
    "ORDER BY available_at, created_at LIMIT 1{lock}) "
    "RETURNING id, message_id, topic, payload, headers, attempts, max_attempts";

// The Mark* statements share this guard: only the current claim may complete.
constexpr const char* kMarkDone =
    "UPDATE task_queue SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = :updated_at "
    "WHERE id = :id AND status = 'running' AND locked_by = :locked_by";
constexpr const char* kMarkRetry =
    "UPDATE task_queue SET status = 'queued', locked_by = NULL, locked_until = NULL, "
    "available_at = :available_at, last_error = :last_error, updated_at = :updated_at "
    "WHERE id = :id AND status = 'running' AND locked_by = :locked_by";
constexpr const char* kMarkDead =
    "UPDATE task_queue SET status = 'dead', locked_by = NULL, locked_until = NULL, "
    "last_error = :last_error, updated_at = :updated_at "
    "WHERE id = :id AND status = 'running' AND locked_by = :locked_by";

constexpr const char* kReplayDead =
    "UPDATE task_queue SET status = 'queued', attempts = 0, available_at = :available_at, locked_by = NULL, "
    "locked_until = NULL, updated_at = :updated_at WHERE id = :id AND status = 'dead'";

constexpr const char* kPruneDone =
    "DELETE FROM task_queue WHERE status = 'done' AND updated_at < :older_than";

#define TABEL_TASK_COLUMNS                                                                            \
  "SELECT id, message_id, queue, topic, status, attempts, max_attempts, available_at, locked_until, " \
  "locked_by, last_error, updated_at, payload FROM task_queue "
constexpr const char* kSelectTaskById = TABEL_TASK_COLUMNS "WHERE id = :id";
constexpr const char* kSelectTaskByMessage =
    TABEL_TASK_COLUMNS "WHERE queue = :queue AND message_id = :message_id";
constexpr const char* kSelectDead =
    TABEL_TASK_COLUMNS "WHERE status = 'dead' ORDER BY updated_at DESC, id LIMIT :limit";
constexpr const char* kSelectDeadInQueue =
    TABEL_TASK_COLUMNS "WHERE status = 'dead' AND queue = :queue ORDER BY updated_at DESC, id LIMIT :limit";
#undef TABEL_TASK_COLUMNS

constexpr const char* kCountTasks = "SELECT queue, status, COUNT(*) FROM task_queue GROUP BY queue, status";
constexpr const char* kOutboxBacklog =
    "SELECT COUNT(*), MIN(CASE WHEN available_at <= :now THEN available_at END) FROM outbox "
    "WHERE published_at IS NULL";

// PostgreSQL only: a scrape never waits on the database for long.
constexpr const char* kBeginReadOnly = "BEGIN READ ONLY";
constexpr const char* kStatsStatementTimeout = "SET LOCAL statement_timeout = 1000";
constexpr const char* kCommit = "COMMIT";

constexpr size_t kMaxListLimit = 1000;

TimePoint ParseStored(const std::string& text, const char* column) {
  const auto parsed = db::ParseTimestamp(text);
  if (!parsed) throw Error::Internal(std::string("task_queue: malformed ") + column + " '" + text + "'");
  return *parsed;
}

// The length of the valid UTF-8 sequence at `text[at]`, or 0 if invalid.
size_t Utf8SequenceLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf)
    length = 2;
  else if (lead >= 0xe0 && lead <= 0xef)
    length = 3;
  else if (lead >= 0xf0 && lead <= 0xf4)
    length = 4;
  else
    return 0;
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
  }
  // Overlong 3- and 4-byte forms, surrogates and code points past U+10FFFF.
  if (lead == 0xe0 && byte(at + 1) < 0xa0) return 0;
  if (lead == 0xed && byte(at + 1) >= 0xa0) return 0;
  if (lead == 0xf0 && byte(at + 1) < 0x90) return 0;
  if (lead == 0xf4 && byte(at + 1) >= 0x90) return 0;
  return length;
}

}  // namespace

std::string BoundedErrorText(std::string_view text) {
  std::string clean;
  clean.reserve(std::min(text.size(), kMaxErrorLength));
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8SequenceLength(text, at);
    const size_t width = length == 0 ? 1 : length;
    if (clean.size() + width > kMaxErrorLength) break;
    if (length == 0 || text[at] == '\0') {
      clean += '?';
    } else {
      clean.append(text.substr(at, length));
    }
    at += width;
  }
  return clean.empty() ? std::string("(no message)") : clean;
}

namespace {

// Reads the columns of TABEL_TASK_COLUMNS; bind with Bind(), convert with Take().
struct TaskRow {
  std::string id, message_id, queue, topic, status, available_at, locked_until, locked_by, last_error,
      updated_at, payload;
  int attempts = 0;
  int max_attempts = 0;
  soci::indicator locked_until_ind = soci::i_null;
  soci::indicator locked_by_ind = soci::i_null;
  soci::indicator last_error_ind = soci::i_null;

  TaskInfo Take() const {
    TaskInfo info;
    info.id = id;
    info.message_id = message_id;
    info.queue = queue;
    info.topic = topic;
    info.status = status;
    info.attempts = attempts;
    info.max_attempts = max_attempts;
    info.available_at = ParseStored(available_at, "available_at");
    if (locked_until_ind == soci::i_ok) info.locked_until = ParseStored(locked_until, "locked_until");
    if (locked_by_ind == soci::i_ok) info.locked_by = locked_by;
    if (last_error_ind == soci::i_ok) info.last_error = last_error;
    info.updated_at = ParseStored(updated_at, "updated_at");
    info.payload = payload;
    return info;
  }
};

// Prepares `sql` (a TABEL_TASK_COLUMNS query) with `row`'s columns as
// outputs; `uses` adds the inputs.
template <class... Uses>
soci::statement PrepareTaskQuery(soci::session& session, const char* sql, TaskRow& row, Uses&&... uses) {
  soci::details::prepare_temp_type prepared =
      (session.prepare << sql, soci::into(row.id), soci::into(row.message_id), soci::into(row.queue),
       soci::into(row.topic), soci::into(row.status), soci::into(row.attempts), soci::into(row.max_attempts),
       soci::into(row.available_at), soci::into(row.locked_until, row.locked_until_ind),
       soci::into(row.locked_by, row.locked_by_ind), soci::into(row.last_error, row.last_error_ind),
       soci::into(row.updated_at), soci::into(row.payload));
  ((prepared, std::forward<Uses>(uses)), ...);
  return soci::statement(prepared);
}

std::vector<TaskInfo> FetchAll(soci::statement& statement, TaskRow& row) {
  std::vector<TaskInfo> tasks;
  statement.execute();
  while (statement.fetch()) tasks.push_back(row.Take());
  return tasks;
}

}  // namespace

TaskQueue::TaskQueue(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)), claim_sql_(kClaimTask) {
  const std::string_view lock =
      database_.dialect() == db::Dialect::kPostgresql ? " FOR UPDATE SKIP LOCKED" : "";
  claim_sql_.replace(claim_sql_.find("{lock}"), 6, lock);
}

std::optional<ClaimedTask> TaskQueue::Claim(const std::string& queue, const std::string& lock_token,
                                            std::chrono::seconds lease) {
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> std::optional<ClaimedTask> {
    const TimePoint now = clock_();
    const TimePoint locked_until = now + lease;
    const std::string now_text = db::FormatTimestamp(now);
    const std::string locked_until_text = db::FormatTimestamp(locked_until);
    ClaimedTask claimed;
    Delivery& delivery = claimed.delivery;
    soci::indicator headers_ind = soci::i_null;
    soci::statement statement =
        (session.prepare << claim_sql_, soci::into(delivery.task_id), soci::into(delivery.message_id),
         soci::into(delivery.topic), soci::into(delivery.payload), soci::into(delivery.headers, headers_ind),
         soci::into(delivery.attempt), soci::into(claimed.max_attempts), soci::use(lock_token, "locked_by"),
         soci::use(locked_until_text, "locked_until"), soci::use(now_text, "updated_at"),
         soci::use(queue, "queue"), soci::use(now_text, "ready_before"),
         soci::use(now_text, "expired_before"));
    if (!statement.execute(true)) return std::nullopt;
    if (headers_ind != soci::i_ok) delivery.headers = "{}";
    delivery.queue = queue;
    claimed.lock_token = lock_token;
    claimed.locked_until = locked_until;
    return claimed;
  });
}

bool TaskQueue::MarkDone(const std::string& task_id, const std::string& lock_token) {
  const std::string now = db::FormatTimestamp(clock_());
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement = (session.prepare << kMarkDone, soci::use(now, "updated_at"),
                                 soci::use(task_id, "id"), soci::use(lock_token, "locked_by"));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
  });
}

bool TaskQueue::MarkRetry(const std::string& task_id, const std::string& lock_token, TimePoint retry_at,
                          std::string_view error) {
  const std::string now = db::FormatTimestamp(clock_());
  const std::string available_at = db::FormatTimestamp(retry_at);
  const std::string last_error = BoundedErrorText(error);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement = (session.prepare << kMarkRetry, soci::use(available_at, "available_at"),
                                 soci::use(last_error, "last_error"), soci::use(now, "updated_at"),
                                 soci::use(task_id, "id"), soci::use(lock_token, "locked_by"));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
  });
}

bool TaskQueue::MarkDead(const std::string& task_id, const std::string& lock_token, std::string_view error) {
  const std::string now = db::FormatTimestamp(clock_());
  const std::string last_error = BoundedErrorText(error);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement =
        (session.prepare << kMarkDead, soci::use(last_error, "last_error"), soci::use(now, "updated_at"),
         soci::use(task_id, "id"), soci::use(lock_token, "locked_by"));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
  });
}

std::vector<TaskInfo> TaskQueue::ListDead(const std::optional<std::string>& queue, size_t limit) {
  const int bounded = static_cast<int>(std::clamp<size_t>(limit, 1, kMaxListLimit));
  return db::WithSession(database_, [&](soci::session& session) {
    TaskRow row;
    if (queue) {
      soci::statement statement = PrepareTaskQuery(session, kSelectDeadInQueue, row,
                                                   soci::use(*queue, "queue"), soci::use(bounded, "limit"));
      return FetchAll(statement, row);
    }
    soci::statement statement = PrepareTaskQuery(session, kSelectDead, row, soci::use(bounded, "limit"));
    return FetchAll(statement, row);
  });
}

void TaskQueue::Replay(const std::string& task_id) {
  db::WithWriteTransaction(database_, [&](soci::session& session) { Replay(session, task_id); });
}

TaskInfo TaskQueue::Replay(soci::session& open_write_tx, const std::string& task_id) {
  const std::string now = db::FormatTimestamp(clock_());
  soci::statement statement = (open_write_tx.prepare << kReplayDead, soci::use(now, "available_at"),
                               soci::use(now, "updated_at"), soci::use(task_id, "id"));
  statement.execute(true);
  if (statement.get_affected_rows() <= 0) throw Error::NotFound("No dead task has this id.");
  TaskRow row;
  soci::statement select = PrepareTaskQuery(open_write_tx, kSelectTaskById, row, soci::use(task_id, "id"));
  if (!select.execute(true)) throw Error::Internal("task_queue: the replayed task " + task_id + " vanished");
  return row.Take();
}

size_t TaskQueue::PruneDone(TimePoint older_than) {
  const std::string cutoff = db::FormatTimestamp(older_than);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement = (session.prepare << kPruneDone, soci::use(cutoff, "older_than"));
    statement.execute(true);
    return static_cast<size_t>(std::max<long long>(statement.get_affected_rows(), 0));
  });
}

std::optional<TaskInfo> TaskQueue::Find(const std::string& task_id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<TaskInfo> {
    TaskRow row;
    soci::statement statement = PrepareTaskQuery(session, kSelectTaskById, row, soci::use(task_id, "id"));
    if (!statement.execute(true)) return std::nullopt;
    return row.Take();
  });
}

std::optional<TaskInfo> TaskQueue::FindByMessage(const std::string& queue, const std::string& message_id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<TaskInfo> {
    TaskRow row;
    soci::statement statement = PrepareTaskQuery(
        session, kSelectTaskByMessage, row, soci::use(queue, "queue"), soci::use(message_id, "message_id"));
    if (!statement.execute(true)) return std::nullopt;
    return row.Take();
  });
}

QueueStats TaskQueue::Stats(std::chrono::milliseconds acquire_timeout) {
  QueueStats stats;
  const TimePoint now = clock_();
  const std::string now_text = db::FormatTimestamp(now);
  try {
    db::Lease lease = database_.Acquire(acquire_timeout);
    soci::session& session = lease.session();
    const bool postgresql = lease.dialect() == db::Dialect::kPostgresql;
    if (postgresql) {
      // A read-only transaction only to scope the statement timeout.
      session << kBeginReadOnly;
      session << kStatsStatementTimeout;
    }
    {
      std::string queue, status;
      long long count = 0;
      soci::statement statement =
          (session.prepare << kCountTasks, soci::into(queue), soci::into(status), soci::into(count));
      statement.execute();
      while (statement.fetch()) stats.tasks.push_back({queue, status, count});
    }
    std::string oldest;
    soci::indicator oldest_ind = soci::i_null;
    session << kOutboxBacklog, soci::into(stats.outbox_unpublished), soci::into(oldest, oldest_ind),
        soci::use(now_text, "now");
    if (oldest_ind == soci::i_ok) {
      const auto age = now - ParseStored(oldest, "outbox.available_at");
      stats.outbox_oldest_due_seconds = std::max(0.0, std::chrono::duration<double>(age).count());
    }
    if (postgresql) session << kCommit;
  } catch (const soci::soci_error& error) {
    db::Rethrow(error);
  }
  return stats;
}

}  // namespace tabel::bus

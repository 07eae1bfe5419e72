#pragma once
// The transactional outbox: an event is written in the same transaction as
// the change it announces, so it exists if and only if the change commits.
// A Relay (relay.hpp) later routes it to the bound queues.
//
//   db::WithWriteTransaction(database, [&](soci::session& session) {
//     ... the change ...
//     outbox.Add(session, {.topic = "leave.approved", .payload = json});
//   });
//   worker.Wake();  // after the commit: deliver without waiting for a poll

#include <soci/soci.h>

#include <cstddef>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "infra/bus/message.hpp"
#include "infra/db/dialect.hpp"
#include "infra/db/query.hpp"

namespace tabel::bus {

// Thread-safety: stateless apart from the clock; safe from any thread (each
// call uses the caller's session).
class Outbox {
 public:
  explicit Outbox(Clock clock);

  // Inserts `message` into the outbox through `open_write_tx`, a session
  // inside the caller's open write transaction (db::WithWriteTransaction),
  // and returns the message id. Does not commit.
  // Errors: tabel::Error (kInternal) for an invalid topic or an empty
  // payload (a bug in the caller); database errors propagate as
  // soci::soci_error so that WithWriteTransaction can classify them and
  // rerun the transaction on lock contention (a reused message id is a
  // unique violation: a conflict).
  std::string Add(soci::session& open_write_tx, const OutgoingMessage& message) const;
  // The same through the statement the lease's session keeps prepared
  // (db::ExecuteCached): for writers that add events at a high rate.
  std::string Add(db::Lease& open_write_tx, const OutgoingMessage& message) const;

 private:
  // The insert of `message`, its id in `id`. Errors: as Add.
  db::Query Insert(const OutgoingMessage& message, std::string& id) const;

  Clock clock_;
};

// The relays' side of the outbox (relay.hpp, amqp_relay.hpp).

// An unpublished message that is due.
struct DueMessage {
  std::string id;
  std::string topic;
  std::string payload;
  std::string headers;
  std::string available_at;  // db::FormatTimestamp text
};

// Up to `limit` unpublished messages due at `now` (db::FormatTimestamp
// text), the oldest due first (the partial index outbox_unpublished serves
// it). On PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED, so relays
// reading inside concurrent write transactions never take the same message
// (on SQLite BEGIN IMMEDIATE serialises them). Errors: soci::soci_error.
std::vector<DueMessage> SelectDueMessages(soci::session& session, db::Dialect dialect, const std::string& now,
                                          size_t limit);

// Sets published_at = `now` on those of `ids` not yet published, in one
// statement. Errors: soci::soci_error.
void MarkPublished(soci::session& session, const std::vector<std::string>& ids, const std::string& now);

}  // namespace tabel::bus

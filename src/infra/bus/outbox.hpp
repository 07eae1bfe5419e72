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

#include <string>

#include "common/clock.hpp"
#include "infra/bus/message.hpp"

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

 private:
  Clock clock_;
};

}  // namespace tabel::bus

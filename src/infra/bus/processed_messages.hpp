#pragma once
// Idempotent consumers: a consumer records each message id it has acted on
// in processed_messages, in the same transaction as its effect, and skips a
// message it has already recorded. A redelivery (at-least-once) then has no
// second effect:
//
//   db::WithWriteTransaction(database, [&](soci::session& session) {
//     if (!bus::MarkProcessed(session, "mail.welcome", delivery.message_id, clock())) return;
//     ... the effect ...
//   });

#include <soci/soci.h>

#include <chrono>
#include <cstddef>
#include <string_view>

#include "infra/db/database.hpp"

namespace tabel::bus {

// Records (consumer, message_id) through `open_write_tx`, a session inside
// the caller's open write transaction, at `now`. Returns true if it was not
// recorded before (go ahead), false if it was (skip: already processed).
// `consumer` names the effect, not the process ("mail.welcome"), so that two
// consumers of one message deduplicate independently.
// Errors: soci::soci_error propagates, for WithWriteTransaction to classify
// and retry. Thread-safety: uses only the caller's session.
bool MarkProcessed(soci::session& open_write_tx, std::string_view consumer, std::string_view message_id,
                   std::chrono::system_clock::time_point now);

// Deletes processed_messages entries recorded before `older_than`; returns
// how many. Keep them longer than any message can be redelivered (the
// longest retry schedule plus the outbox backlog). Errors: tabel::Error.
size_t PruneProcessed(db::Database& database, std::chrono::system_clock::time_point older_than);

}  // namespace tabel::bus

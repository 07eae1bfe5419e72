#include "infra/bus/processed_messages.hpp"

#include <algorithm>
#include <string>

#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::bus {
namespace {

constexpr const char* kRecordProcessed =
    "INSERT INTO processed_messages (consumer, message_id, processed_at) "
    "VALUES (:consumer, :message_id, :processed_at) ON CONFLICT (consumer, message_id) DO NOTHING";
constexpr const char* kPruneProcessed = "DELETE FROM processed_messages WHERE processed_at < :older_than";

}  // namespace

bool MarkProcessed(soci::session& open_write_tx, std::string_view consumer, std::string_view message_id,
                   std::chrono::system_clock::time_point now) {
  const std::string consumer_text(consumer);
  const std::string message_id_text(message_id);
  const std::string processed_at = db::FormatTimestamp(now);
  soci::statement statement =
      (open_write_tx.prepare << kRecordProcessed, soci::use(consumer_text, "consumer"),
       soci::use(message_id_text, "message_id"), soci::use(processed_at, "processed_at"));
  statement.execute(true);
  return statement.get_affected_rows() > 0;
}

size_t PruneProcessed(db::Database& database, std::chrono::system_clock::time_point older_than) {
  const std::string cutoff = db::FormatTimestamp(older_than);
  return db::WithWriteTransaction(database, [&](soci::session& session) {
    soci::statement statement = (session.prepare << kPruneProcessed, soci::use(cutoff, "older_than"));
    statement.execute(true);
    return static_cast<size_t>(std::max<long long>(statement.get_affected_rows(), 0));
  });
}

}  // namespace tabel::bus

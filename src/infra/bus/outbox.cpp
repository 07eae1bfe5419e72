#include "infra/bus/outbox.hpp"

#include <utility>

#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/bus/topology.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::bus {
namespace {

constexpr const char* kSelectDueMessages =
    "SELECT id, topic, payload, headers, available_at FROM outbox "
    "WHERE published_at IS NULL AND available_at <= :now "
    "ORDER BY available_at, created_at LIMIT :limit";
constexpr const char* kPostgresSkipLocked = " FOR UPDATE SKIP LOCKED";

}  // namespace

Outbox::Outbox(Clock clock) : clock_(std::move(clock)) {}

db::Query Outbox::Insert(const OutgoingMessage& message, std::string& id) const {
  if (!IsValidBusName(message.topic)) {
    throw Error::Internal("outbox: invalid topic '" + message.topic.substr(0, 120) + "'");
  }
  if (message.payload.empty()) throw Error::Internal("outbox: empty payload for topic " + message.topic);
  id = message.id.empty() ? NewUuid() : message.id;
  const auto now = clock_();
  db::Query query;
  query << "INSERT INTO outbox (id, topic, payload, headers, available_at, created_at) VALUES ("
        << query.Param(id) << ", " << query.Param(message.topic) << ", " << query.Param(message.payload)
        << ", " << query.Param(message.headers.empty() ? std::string("{}") : message.headers) << ", "
        << query.Param(db::FormatTimestamp(message.available_at.value_or(now))) << ", "
        << query.Param(db::FormatTimestamp(now)) << ")";
  return query;
}

std::string Outbox::Add(soci::session& open_write_tx, const OutgoingMessage& message) const {
  std::string id;
  db::Query query = Insert(message, id);
  soci::statement statement(open_write_tx);
  query.Prepare(statement);
  statement.execute(true);
  return id;
}

std::string Outbox::Add(db::Lease& open_write_tx, const OutgoingMessage& message) const {
  std::string id;
  db::ExecuteCached(open_write_tx, Insert(message, id));
  return id;
}

std::vector<DueMessage> SelectDueMessages(soci::session& session, db::Dialect dialect, const std::string& now,
                                          size_t limit) {
  const std::string sql =
      std::string(kSelectDueMessages) + (dialect == db::Dialect::kPostgresql ? kPostgresSkipLocked : "");
  const int rows = static_cast<int>(limit);
  std::vector<DueMessage> due;
  DueMessage row;
  soci::statement statement(session);
  statement.exchange(soci::into(row.id));
  statement.exchange(soci::into(row.topic));
  statement.exchange(soci::into(row.payload));
  statement.exchange(soci::into(row.headers));
  statement.exchange(soci::into(row.available_at));
  statement.exchange(soci::use(now, "now"));
  statement.exchange(soci::use(rows, "limit"));
  db::PrepareOnce(statement, sql);
  statement.execute(false);
  while (statement.fetch()) {
    // A timestamptz reads back as "… +00"; normalise it.
    const auto available_at = db::ParseTimestamp(row.available_at);
    row.available_at = available_at ? db::FormatTimestamp(*available_at) : now;
    due.push_back(row);
  }
  return due;
}

void MarkPublished(soci::session& session, const std::vector<std::string>& ids, const std::string& now) {
  if (ids.empty()) return;
  db::Query query;
  query << "UPDATE outbox SET published_at = " << query.Param(now)
        << " WHERE published_at IS NULL AND id IN (";
  for (size_t i = 0; i < ids.size(); ++i) query << (i == 0 ? "" : ", ") << query.Param(ids[i]);
  query << ")";
  soci::statement statement(session);
  query.Prepare(statement);
  statement.execute(true);
}

}  // namespace tabel::bus

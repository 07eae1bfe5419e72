#include "infra/bus/outbox.hpp"

#include <utility>

#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/bus/topology.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::bus {
namespace {

constexpr const char* kInsertMessage =
    "INSERT INTO outbox (id, topic, payload, headers, available_at, created_at) "
    "VALUES (:id, :topic, :payload, :headers, :available_at, :created_at)";

}  // namespace

Outbox::Outbox(Clock clock) : clock_(std::move(clock)) {}

std::string Outbox::Add(soci::session& open_write_tx, const OutgoingMessage& message) const {
  if (!IsValidBusName(message.topic)) {
    throw Error::Internal("outbox: invalid topic '" + message.topic.substr(0, 120) + "'");
  }
  if (message.payload.empty()) throw Error::Internal("outbox: empty payload for topic " + message.topic);
  std::string id = message.id.empty() ? NewUuid() : message.id;
  const std::string headers = message.headers.empty() ? "{}" : message.headers;
  const auto now = clock_();
  const std::string created_at = db::FormatTimestamp(now);
  const std::string available_at = db::FormatTimestamp(message.available_at.value_or(now));
  open_write_tx << kInsertMessage, soci::use(id, "id"), soci::use(message.topic, "topic"),
      soci::use(message.payload, "payload"), soci::use(headers, "headers"),
      soci::use(available_at, "available_at"), soci::use(created_at, "created_at");
  return id;
}

}  // namespace tabel::bus

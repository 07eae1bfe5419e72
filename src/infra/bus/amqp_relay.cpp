#include "infra/bus/amqp_relay.hpp"

#include <soci/soci.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::bus {

AmqpRelay::AmqpRelay(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
                     AmqpOptions options, size_t batch_size, metrics::Counter* confirm_failures,
                     metrics::Counter* reconnects)
    : database_(database),
      topology_(topology),
      clock_(std::move(clock)),
      logger_(logger),
      options_(std::move(options)),
      batch_size_(batch_size),
      confirm_failures_(confirm_failures),
      reconnects_(reconnects) {
  ValidateAmqpOptions(options_);
  if (batch_size_ == 0) throw std::invalid_argument("the relay batch size must be at least 1");
}

AmqpRelay::~AmqpRelay() = default;

AmqpConnection& AmqpRelay::Connection() {
  if (connection_ && connection_->broken()) connection_.reset();
  if (connection_) return *connection_;
  try {
    auto connection = std::make_unique<AmqpConnection>(options_);
    connection->DeclareTopology(topology_);
    connection_ = std::move(connection);
  } catch (const AmqpError& error) {
    failed_before_ = true;
    throw Error::Unavailable("the message broker is unavailable", error.what());
  }
  if (failed_before_ && reconnects_ != nullptr) reconnects_->Inc();
  failed_before_ = false;
  return *connection_;
}

void AmqpRelay::PublishConfirmed(const std::vector<DueMessage>& due) {
  AmqpConnection& connection = Connection();
  const std::string exchange = AmqpNames::Exchange(options_.prefix);
  try {
    for (const DueMessage& message : due) {
      connection.Publish({.exchange = exchange,
                          .routing_key = message.topic,
                          .message_id = message.id,
                          .topic = message.topic,
                          .body = message.payload,
                          .headers = message.headers.empty() ? "{}" : message.headers});
    }
    connection.WaitForConfirms(options_.confirm_timeout);
  } catch (const AmqpError& error) {
    if (confirm_failures_ != nullptr) confirm_failures_->Inc();
    // A nack leaves the connection usable, but a fresh one costs little and
    // forgets any confirm still owed.
    connection_.reset();
    failed_before_ = true;
    throw Error::Unavailable("the message broker did not confirm the batch", error.what());
  }
}

void AmqpRelay::ServiceIdle() {
  if (!connection_) return;
  try {
    connection_->Service();
  } catch (const AmqpError& error) {
    connection_.reset();
    failed_before_ = true;
    throw Error::Unavailable("the message broker connection was lost", error.what());
  }
}

size_t AmqpRelay::RelayBatch() {
  // Connects first: the topology must exist on the broker before anything
  // is published, or the exchange would drop the messages as unroutable.
  Connection();
  const auto select = [&](soci::session& session) {
    return SelectDueMessages(session, database_.dialect(), db::FormatTimestamp(clock_()), batch_size_);
  };
  const auto mark = [&](soci::session& session, const std::vector<DueMessage>& due) {
    std::vector<std::string> ids;
    ids.reserve(due.size());
    for (const DueMessage& message : due) ids.push_back(message.id);
    MarkPublished(session, ids, db::FormatTimestamp(clock_()));
  };

  if (database_.dialect() == db::Dialect::kPostgresql) {
    const size_t relayed = db::WithWriteTransaction(database_, [&](soci::session& session) -> size_t {
      const std::vector<DueMessage> due = select(session);
      if (due.empty()) return 0;
      PublishConfirmed(due);
      mark(session, due);
      return due.size();
    });
    if (relayed == 0) ServiceIdle();
    return relayed;
  }
  const std::vector<DueMessage> due = db::WithSession(database_, select);
  if (due.empty()) {
    ServiceIdle();
    return 0;
  }
  PublishConfirmed(due);
  db::WithWriteTransaction(database_, [&](soci::session& session) { mark(session, due); });
  return due.size();
}

}  // namespace tabel::bus

#include <algorithm>
#include <utility>

#include "common/error.hpp"
#include "infra/db/transaction.hpp"
#include "ops/queue_transports.hpp"

namespace tabel::ops {
namespace {

constexpr std::chrono::milliseconds kStatsTimeout{2000};
constexpr size_t kMaxListLimit = 1000;
constexpr int kRetryAfterSeconds = 5;

// Runs `f`, a call on the broker; its failures become 503.
template <class F>
auto OnBroker(F&& f) {
  try {
    return f();
  } catch (const bus::AmqpError& error) {
    throw Error::Unavailable("The message broker is unavailable; try again shortly.", error.what())
        .WithRetryAfter(kRetryAfterSeconds);
  }
}

DeadLetter LetterOf(const bus::QueueSpec& spec, bus::AmqpDelivery delivery) {
  return {.id = spec.name + ":" + delivery.message_id,
          .message_id = std::move(delivery.message_id),
          .queue = spec.name,
          .topic = std::move(delivery.topic),
          .status = "dead",
          .attempts = delivery.attempt,
          .max_attempts = spec.max_attempts,
          .last_error = std::move(delivery.error),
          .payload = std::move(delivery.body)};
}

}  // namespace

BrokerQueues::BrokerQueues(db::Database& database, bus::TaskQueue& tasks, const bus::Topology& topology,
                           bus::AmqpOptions options)
    : database_(database), tasks_(tasks), topology_(topology), options_(std::move(options)) {
  bus::ValidateAmqpOptions(options_);
}

std::unique_ptr<bus::AmqpConnection> BrokerQueues::Connect() const {
  auto connection = std::make_unique<bus::AmqpConnection>(options_);
  connection->DeclareTopology(topology_);
  return connection;
}

BusOverview BrokerQueues::Overview() {
  const bus::QueueStats stats = tasks_.Stats(kStatsTimeout);
  BusOverview overview{.transport = "rabbitmq",
                       .outbox_unpublished = stats.outbox_unpublished,
                       .outbox_oldest_due_seconds = stats.outbox_oldest_due_seconds};
  const std::string& prefix = options_.prefix;
  std::lock_guard lock(mutex_);
  OnBroker([&] {
    const std::unique_ptr<bus::AmqpConnection> connection = Connect();
    for (const bus::QueueSpec& spec : topology_.queues()) {
      const auto work = connection->DeclarePassive(bus::AmqpNames::WorkQueue(prefix, spec.name));
      long long retrying = 0;
      for (const std::chrono::milliseconds delay : bus::AmqpNames::DelayLevels(spec)) {
        retrying += connection->DeclarePassive(bus::AmqpNames::DelayQueue(prefix, spec.name, delay)).messages;
      }
      const auto dead = connection->DeclarePassive(bus::AmqpNames::DeadQueue(prefix, spec.name));
      overview.queues.push_back({.name = spec.name,
                                 .topics = spec.topics,
                                 .max_attempts = spec.max_attempts,
                                 .queued = work.messages + retrying,
                                 .retrying = retrying,
                                 .dead = dead.messages,
                                 .consumers = work.consumers});
    }
  });
  return overview;
}

// The dead letters are read with basic.get and no ack under one channel,
// then left unacknowledged: closing the connection (or losing it, or this
// process dying) makes the broker put every one back in its place in the
// queue. Nothing is ever settled by a listing, so no path loses one — unlike
// a consume-and-republish, which would reorder them and could drop or
// duplicate one on a failure in between. The price: while a listing runs,
// what it read is invisible to others (see the class comment).
std::vector<DeadLetter> BrokerQueues::DeadLetters(const std::optional<std::string>& queue, size_t limit) {
  limit = std::clamp<size_t>(limit, 1, kMaxListLimit);
  std::vector<const bus::QueueSpec*> specs;
  for (const bus::QueueSpec& spec : topology_.queues()) {
    if (!queue || spec.name == *queue) specs.push_back(&spec);
  }
  std::vector<DeadLetter> letters;
  if (specs.empty()) return letters;
  std::lock_guard lock(mutex_);
  OnBroker([&] {
    const std::unique_ptr<bus::AmqpConnection> connection = Connect();
    for (const bus::QueueSpec* spec : specs) {
      const std::string dead = bus::AmqpNames::DeadQueue(options_.prefix, spec->name);
      while (letters.size() < limit) {
        std::optional<bus::AmqpDelivery> delivery = connection->Get(dead);
        if (!delivery) break;
        letters.push_back(LetterOf(*spec, std::move(*delivery)));
      }
    }
  });  // closes the connection: the broker takes back every letter read
  return letters;
}

DeadLetter BrokerQueues::Replay(const std::string& id, const ReplayRecord& record) {
  const size_t colon = id.find(':');
  const bus::QueueSpec* spec = colon == std::string::npos ? nullptr : topology_.Find(id.substr(0, colon));
  if (spec == nullptr) throw Error::NotFound("No such dead letter.");
  const std::string message_id = id.substr(colon + 1);
  std::lock_guard lock(mutex_);
  return OnBroker([&] {
    const std::unique_ptr<bus::AmqpConnection> connection = Connect();
    const std::string dead = bus::AmqpNames::DeadQueue(options_.prefix, spec->name);
    // The letters read before it stay unacknowledged, and go back in their
    // place when the connection closes, whatever happens.
    std::optional<bus::AmqpDelivery> found;
    for (size_t scanned = 0; scanned < kReplayScanLimit && !found; ++scanned) {
      std::optional<bus::AmqpDelivery> delivery = connection->Get(dead);
      if (!delivery) break;
      if (delivery->message_id == message_id) found = std::move(delivery);
    }
    if (!found) throw Error::NotFound("No such dead letter.");
    const uint64_t delivery_tag = found->delivery_tag;
    std::string headers = std::move(found->headers);
    DeadLetter replayed = LetterOf(*spec, std::move(*found));
    // Mandatory: a copy no queue takes fails its confirm instead of
    // vanishing. Its last error goes along, as the embedded queue keeps it.
    connection->Publish({.exchange = "",
                         .routing_key = bus::AmqpNames::WorkQueue(options_.prefix, spec->name),
                         .message_id = replayed.message_id,
                         .topic = replayed.topic,
                         .body = replayed.payload,
                         .headers = std::move(headers),
                         .attempt = 1,
                         .error = replayed.last_error,
                         .mandatory = true});
    connection->WaitForConfirms(options_.confirm_timeout);
    replayed.status = "queued";
    replayed.attempts = 0;
    // The copy is the broker's: record it, then settle the dead letter. A
    // failure of either leaves the dead letter in place and the copy
    // delivered, which consumers deduplicate if it is replayed again.
    db::WithWriteTransaction(database_, [&](soci::session& session) { record(session, replayed); });
    connection->Ack(delivery_tag);
    return replayed;
  });
}

}  // namespace tabel::ops

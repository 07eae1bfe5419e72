#include "ops/queues.hpp"

#include <memory>
#include <utility>

#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"

namespace tabel::ops {

QueueAdmin::QueueAdmin(QueueTransport& transport, Clock clock)
    : transport_(transport), clock_(std::move(clock)) {}

void QueueAdmin::Check(const Actor& actor) const {
  if (actor.identity.ScopeOf(auth::kSettingsManage) != Scope::kAll) throw Error::Forbidden();
}

BusOverview QueueAdmin::Overview(const Actor& actor) {
  Check(actor);
  return transport_.Overview();
}

std::vector<DeadLetter> QueueAdmin::DeadLetters(const Actor& actor, const std::optional<std::string>& queue,
                                                size_t limit) {
  Check(actor);
  return transport_.DeadLetters(queue, limit);
}

DeadLetter QueueAdmin::Replay(const Actor& actor, const std::string& id) {
  Check(actor);
  return transport_.Replay(id, [&](soci::session& session, const DeadLetter& replayed) {
    audit::Append(
        session, actor,
        {"queue.replay",
         "task",
         id,
         {{"queue", replayed.queue}, {"topic", replayed.topic}, {"message_id", replayed.message_id}}},
        clock_());
  });
}

void RegisterBrokerQueueMetrics(metrics::Registry& registry, QueueTransport& transport,
                                std::chrono::seconds interval) {
  auto& messages =
      registry.AddGauge("tabel_broker_queue_messages",
                        "Messages in the broker's queues of each topology queue, by state: ready "
                        "(to deliver), retrying (waiting out a backoff), dead.",
                        {"queue", "state"});
  auto& consumers =
      registry.AddGauge("tabel_broker_queue_consumers", "Consumers attached to each work queue.", {"queue"});
  // Collectors run one at a time: the next sample's time needs no lock.
  auto next = std::make_shared<std::chrono::steady_clock::time_point>();
  registry.AddCollector([&messages, &consumers, &transport, interval, next] {
    const auto now = std::chrono::steady_clock::now();
    if (now < *next) return;
    *next = now + interval;
    const BusOverview overview = transport.Overview();  // throws: the scrape keeps the old values
    for (const QueueOverview& queue : overview.queues) {
      const long long retrying = queue.retrying.value_or(0);
      messages.WithLabels({queue.name, "ready"}).Set(static_cast<double>(queue.queued - retrying));
      messages.WithLabels({queue.name, "retrying"}).Set(static_cast<double>(retrying));
      messages.WithLabels({queue.name, "dead"}).Set(static_cast<double>(queue.dead));
      consumers.WithLabels({queue.name}).Set(static_cast<double>(queue.consumers.value_or(0)));
    }
  });
}

}  // namespace tabel::ops
